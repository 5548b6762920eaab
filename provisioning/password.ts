import { randomBytes } from 'crypto';

/** The subset of Cognito's PasswordPolicyType the CLI checks (DescribeUserPool's Policies.PasswordPolicy). */
export interface PasswordPolicy {
  readonly MinimumLength?: number;
  readonly RequireUppercase?: boolean;
  readonly RequireLowercase?: boolean;
  readonly RequireNumbers?: boolean;
  readonly RequireSymbols?: boolean;
}

/** Cognito's default policy: 8 characters with upper, lower, digit and symbol. */
export const COGNITO_DEFAULT_POLICY: Required<PasswordPolicy> = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};

/** The characters Cognito counts as symbols. */
export const COGNITO_SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/**
 * Symbols a generated password uses: Cognito symbols that survive copy and paste into a shell, a URL-less
 * config file or `curl -u user:pass` (no quotes, backslash, colon, space, `!`, `$`, `*`, `&`, `|`, `;`, backtick).
 */
const SAFE_SYMBOLS = '%+-.=@^_~,';
const ALPHABET = UPPER + LOWER + DIGITS + SAFE_SYMBOLS;

/** Length of generated passwords: 24 characters of a 72-character alphabet, about 148 bits. */
export const GENERATED_LENGTH = 24;

/** A uniformly random index below `bound` (< 256) from crypto.randomBytes, by rejection sampling (no modulo bias). */
function randomIndex(bound: number): number {
  const limit = 256 - (256 % bound);
  for (;;) {
    const [byte] = randomBytes(1);
    if (byte! < limit) return byte! % bound;
  }
}

function pick(chars: string): string {
  return chars[randomIndex(chars.length)]!;
}

/**
 * A strong random password that meets Cognito's default policy and any stricter minimum length:
 * at least one upper-case letter, lower-case letter, digit and symbol, at least 24 characters.
 */
export function generatePassword(minimumLength = 0): string {
  const length = Math.max(GENERATED_LENGTH, minimumLength);
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SAFE_SYMBOLS)];
  while (chars.length < length) chars.push(pick(ALPHABET));
  // Fisher-Yates, so the four guaranteed classes are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** What a password lacks under a policy, as phrases for a person; empty when it complies. */
export function passwordProblems(password: string, policy: PasswordPolicy = COGNITO_DEFAULT_POLICY): string[] {
  const problems: string[] = [];
  const minimum = policy.MinimumLength ?? COGNITO_DEFAULT_POLICY.MinimumLength;
  if (password.length < minimum) problems.push(`at least ${minimum} characters`);
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) problems.push('a lower-case letter');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) problems.push('a digit');
  if (policy.RequireSymbols && ![...password].some((c) => COGNITO_SYMBOLS.includes(c))) {
    problems.push(`a symbol (one of ${COGNITO_SYMBOLS})`);
  }
  if (password !== password.trim()) problems.push('no leading or trailing space');
  return problems;
}
