/**
 * The secrets check: does any recorded password, token or Basic header value (secrets.ts) appear in any log file of
 * the run? A finding names the file, the line number and the kind of secret, never the secret itself.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { SECRETS_FILE, type RecordedSecret } from './secrets';

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  /** Which form of the secret matched (raw, json-escaped, jwt-signature, basic-credentials). */
  readonly form: string;
}

/** Folders whose logs are not ours: the Cognito emulator's own state and log (it stores plaintext passwords by design). */
const NOT_OUR_LOGS = new Set(['cognito', '.cognito', 'node_modules']);
/** Shorter values would match by chance (e.g. a password of "abc"); the suites' passwords and tokens are far longer. */
const MIN_LENGTH = 8;

export function readRecordedSecrets(dir: string): RecordedSecret[] {
  const file = path.join(dir, SECRETS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedSecret);
}

/** The log files of a run: every `*.log` under `dir`, emulator state excluded. */
export function logFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      if (!NOT_OUR_LOGS.has(name)) found.push(...logFiles(full));
    } else if (name.endsWith('.log')) {
      found.push(full);
    }
  }
  return found.sort();
}

/** The forms in which a secret could reach a log: as is, JSON-escaped, a JWT's signature alone, decoded Basic credentials. */
export function secretForms(secret: RecordedSecret): { form: string; needle: string }[] {
  const forms = [{ form: 'raw', needle: secret.value }];
  const escaped = JSON.stringify(secret.value).slice(1, -1);
  if (escaped !== secret.value) forms.push({ form: 'json-escaped', needle: escaped });
  const parts = secret.value.split('.');
  if (secret.kind === 'token' && parts.length === 3 && parts[2]!.length >= 16) {
    forms.push({ form: 'jwt-signature', needle: parts[2]! });
  }
  // The API's RefreshToken (lambdas/auth/refreshEnvelope.ts): Cognito's own refresh token is inside it.
  if (secret.kind === 'token' && parts[0] === 'rp1' && parts.length >= 4) {
    forms.push({ form: 'cognito-refresh-token', needle: parts.slice(2, -1).join('.') });
  }
  if (secret.kind === 'basic') {
    const encoded = /^Basic\s+(\S+)$/i.exec(secret.value)?.[1];
    if (encoded) {
      forms.push({ form: 'basic-base64', needle: encoded });
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      if (decoded.includes(':')) forms.push({ form: 'basic-credentials', needle: decoded });
    }
  }
  return forms.filter((f) => f.needle.length >= MIN_LENGTH);
}

export function scanLogsForSecrets(
  dir: string,
  secrets: readonly RecordedSecret[] = readRecordedSecrets(dir),
): SecretFinding[] {
  const needles = secrets.flatMap((secret) => secretForms(secret).map((f) => ({ ...f, kind: secret.kind })));
  if (needles.length === 0) return [];
  const findings: SecretFinding[] = [];
  for (const file of logFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const needle of needles) {
      // One native search over the whole file per needle; line numbers only for the (rare) hits.
      for (let at = text.indexOf(needle.needle); at >= 0; at = text.indexOf(needle.needle, at + 1)) {
        const line = text.slice(0, at).split('\n').length;
        findings.push({ file: path.relative(dir, file), line, kind: needle.kind, form: needle.form });
      }
    }
  }
  return findings;
}

/** Throws (failing the run) when any finding exists; the message names places, never secrets. */
export function assertNoSecretsInLogs(dir: string): { files: number; secrets: number } {
  const secrets = readRecordedSecrets(dir);
  const findings = scanLogsForSecrets(dir, secrets);
  if (findings.length > 0) {
    const list = findings
      .slice(0, 20)
      .map((f) => `  ${f.file}:${f.line} (${f.kind}, ${f.form})`)
      .join('\n');
    throw new Error(`Secrets found in log files under ${dir} (${findings.length} hits):\n${list}`);
  }
  return { files: logFiles(dir).length, secrets: secrets.length };
}
