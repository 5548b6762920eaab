/**
 * Every failure of the provisioning CLI becomes one message for a person and one documented exit code.
 * Expected failures (bad input, unknown user, missing target or credentials) never print a stack trace.
 */

/** The CLI's exit codes; provisioning/README.md documents them. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** A failure the CLI did not expect (a bug, throttling that outlasted the retries, a network fault). */
  UNEXPECTED: 1,
  /** Wrong command line: unknown command or option, missing option, a delete without --yes and no terminal. */
  USAGE: 2,
  /** The user does not exist in the pool. */
  NOT_FOUND: 3,
  /** The user (or its email) already exists. */
  CONFLICT: 4,
  /** A value was refused: tenant, username, email or password (including the pool's password policy). */
  INVALID_INPUT: 5,
  /** No target, an unreadable endpoints file, an unknown stack or pool, missing/expired/insufficient credentials, Cognito unreachable. */
  TARGET: 6,
  /** A person answered "no" to a confirmation. Nothing was changed. */
  CANCELLED: 7,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure the CLI raises itself, with its exit code already decided. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** What the CLI knows about the call that failed, to name things in the message. */
export interface ErrorContext {
  /** The username the command was about, if any. */
  readonly username?: string;
  /** A short description of the target, such as `user pool eu-west-1_abc in eu-west-1 (stack RemotePop)`. */
  readonly target?: string;
  /** The Cognito endpoint when it is not AWS's (the local stack). */
  readonly endpoint?: string;
}

export interface CliFailure {
  readonly message: string;
  readonly exitCode: ExitCode;
  /** False for failures the CLI did not foresee: only those may show a stack trace (with --debug). */
  readonly expected: boolean;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);
const REJECTED_CREDENTIALS = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied']);
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException']);

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const expected = (message: string, exitCode: ExitCode): CliFailure => ({ message, exitCode, expected: true });

/** Map any thrown value to a message and an exit code. */
export function cliFailure(error: unknown, context: ErrorContext = {}): CliFailure {
  if (error instanceof CliError) {
    return expected(error.message, error.exitCode);
  }
  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const name = text(err.name);
  const awsMessage = text(err.message);
  const code = text(err.code) || text(err.Code);
  const known = userFailure(name, awsMessage, context) ?? targetFailure(name, awsMessage, code, context);
  if (known) return known;
  const label = name && name !== 'Error' ? `${name}: ` : '';
  return {
    message: `Unexpected error: ${label}${awsMessage || String(error)}`,
    exitCode: EXIT.UNEXPECTED,
    expected: false,
  };
}

/** Failures about the user or the values given: input, conflicts, unknown users, the password policy. */
function userFailure(name: string, awsMessage: string, context: ErrorContext): CliFailure | undefined {
  const user = context.username ? `User "${context.username}"` : 'The user';
  const where = context.target ? ` in ${context.target}` : '';
  switch (name) {
    case 'InvalidUserSpecError':
      return expected(awsMessage, EXIT.INVALID_INPUT);
    case 'UsernameExistsException':
      return expected(`${user} already exists${where}.`, EXIT.CONFLICT);
    case 'AliasExistsException':
      return expected(`Another user${where} already has this email: ${awsMessage}`, EXIT.CONFLICT);
    case 'UserNotFoundException':
      return expected(`${user} was not found${where}.`, EXIT.NOT_FOUND);
    case 'InvalidPasswordException':
      return expected(
        `The password was refused by the user pool's password policy: ${awsMessage || 'too weak'}. ` +
          'Leave out --password to have a strong one generated.',
        EXIT.INVALID_INPUT,
      );
    case 'InvalidParameterException':
      return expected(`Cognito refused a value: ${awsMessage}`, EXIT.INVALID_INPUT);
    default:
      return undefined;
  }
}

/** Failures about the target: the pool, credentials, permissions, throttling, the network, the region. */
function targetFailure(name: string, awsMessage: string, code: string, context: ErrorContext): CliFailure | undefined {
  const where = context.target ? ` in ${context.target}` : '';
  if (name === 'ResourceNotFoundException') return missingResource(awsMessage, context);
  if (name === 'CredentialsProviderError') {
    return expected(
      'No AWS credentials found. Sign in (for example `aws sso login --profile NAME` and set AWS_PROFILE=NAME) ' +
        'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then retry.',
      EXIT.TARGET,
    );
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return expected(
      `AWS refused the credentials (${name}): they are expired or invalid. Sign in again and retry.`,
      EXIT.TARGET,
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return expected(`Your AWS identity is not allowed to do this${where}: ${awsMessage}`, EXIT.TARGET);
  }
  if (THROTTLED.has(name)) {
    return {
      message: `Cognito is throttling requests (${name}); wait a few seconds and retry.`,
      exitCode: EXIT.UNEXPECTED,
      expected: true,
    };
  }
  if (NETWORK_CODES.has(code)) {
    const endpoint = context.endpoint ?? 'AWS';
    const hint = context.endpoint ? ' Is the local stack running (`npm start`)?' : ' Check your network and region.';
    return expected(`Cannot reach Cognito at ${endpoint} (${code}).${hint}`, EXIT.TARGET);
  }
  if (/region is missing/i.test(awsMessage)) {
    return expected('No AWS region: pass --region or set AWS_REGION.', EXIT.TARGET);
  }
  return undefined;
}

/** ResourceNotFoundException: a missing role group (not a Remote Pop pool) or a missing pool. */
function missingResource(awsMessage: string, context: ErrorContext): CliFailure {
  if (/group/i.test(awsMessage)) {
    return expected(
      `The target ${context.target ?? 'user pool'} lacks a role group (${awsMessage}): is it a Remote Pop user pool?`,
      EXIT.TARGET,
    );
  }
  return expected(
    `${context.target ? `The target ${context.target}` : 'The user pool'} does not exist ` +
      `(${awsMessage || 'ResourceNotFoundException'}). Check --user-pool-id, --region, --stack or the endpoints file.`,
    EXIT.TARGET,
  );
}
