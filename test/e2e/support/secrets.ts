/**
 * Every password, token and Basic header value the e2e suites use is appended to $E2E_LOCAL_DIR/secrets.jsonl, so that
 * globalTeardown can prove none of them reached a log line (secretScan.ts). Outside an e2e run it records nothing.
 * The file lives in the run's temporary folder (mode 0600) and never leaves it.
 */
import { appendFileSync } from 'fs';
import * as path from 'path';

export const SECRETS_FILE = 'secrets.jsonl';

/** `client-secret`: the app client's secret, which the auth functions hold and must never log (globalSetup.ts). */
export type SecretKind = 'password' | 'token' | 'basic' | 'client-secret';

export interface RecordedSecret {
  readonly kind: SecretKind;
  readonly value: string;
}

const recorded = new Set<string>();

/** Remember a secret for the end-of-run log check; returns the value so it can wrap an expression. */
export function recordSecret<T extends string | undefined>(
  kind: SecretKind,
  value: T,
  dir = process.env.E2E_LOCAL_DIR,
): T {
  if (!dir || typeof value !== 'string' || value === '' || recorded.has(`${dir}\n${value}`)) return value;
  recorded.add(`${dir}\n${value}`);
  const line: RecordedSecret = { kind, value };
  appendFileSync(path.join(dir, SECRETS_FILE), `${JSON.stringify(line)}\n`, { mode: 0o600 });
  return value;
}

/** Tokens as GET /auth, POST /auth/refresh or InitiateAuth return them. */
export function recordTokens<T extends { IdToken?: string; AccessToken?: string; RefreshToken?: string } | undefined>(
  tokens: T,
): T {
  recordSecret('token', tokens?.IdToken);
  recordSecret('token', tokens?.AccessToken);
  recordSecret('token', tokens?.RefreshToken);
  return tokens;
}
