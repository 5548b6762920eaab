/**
 * The secrets check that globalTeardown runs over every log of the e2e run (test/e2e/support/secretScan.ts), shown to
 * fail: secrets planted in log files are found in each form they could take, emulator state is not ours to judge,
 * and the failure names files and lines, never the secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recordSecret } from '../support/secrets';
import { assertNoSecretsInLogs, logFiles, scanLogsForSecrets } from '../support/secretScan';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const password = 'Pw-planted"Secret\\7a!';
const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLW9mLXRoZS1wbGFudGVkLXRva2Vu';
const basicHeader = `Basic ${Buffer.from('planted-user:Pw-other-Secret-9b?').toString('base64')}`;

function plant(file: string, lines: string[]) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
}

describe("the secrets check over the run's logs", () => {
  beforeEach(() => {
    recordSecret('password', password, dir);
    recordSecret('token', token, dir);
    recordSecret('basic', basicHeader, dir);
  });

  it('finds nothing in clean logs', () => {
    plant('stack.log', ['{"level":"INFO","message":"Token issued","username":"planted-user"}']);
    plant('gateway.log', ['REST GET /v1/auth -> 200 12ms']);
    expect(scanLogsForSecrets(dir)).toEqual([]);
    expect(assertNoSecretsInLogs(dir)).toEqual({ files: 2, secrets: 3 });
  });

  it('finds each secret in every form it could take, in nested log folders too', () => {
    plant('stack.log', ['ok', `{"message":"login","password":${JSON.stringify(password)}}`]);
    plant('gateway.log', [`REST GET /v1/pop Authorization: Bearer ${token}`]);
    plant('fault-stack-1/stack.log', ['a', 'b', `sig=${token.split('.')[2]}`]);
    plant('fault-stack-1/gateway.log', [
      `header ${basicHeader.slice('Basic '.length)}`,
      'decoded planted-user:Pw-other-Secret-9b?',
    ]);
    const findings = scanLogsForSecrets(dir);
    expect(findings).toEqual(
      expect.arrayContaining([
        { file: 'stack.log', line: 2, kind: 'password', form: 'json-escaped' },
        { file: 'gateway.log', line: 1, kind: 'token', form: 'raw' },
        { file: path.join('fault-stack-1', 'stack.log'), line: 3, kind: 'token', form: 'jwt-signature' },
        { file: path.join('fault-stack-1', 'gateway.log'), line: 1, kind: 'basic', form: 'basic-base64' },
        { file: path.join('fault-stack-1', 'gateway.log'), line: 2, kind: 'basic', form: 'basic-credentials' },
      ]),
    );
  });

  it("finds the app client's secret and the Cognito refresh token inside the API's RefreshToken", () => {
    const clientSecret = 'planted-client-secret-1q2w3e4r5t6y7u8i9o0p';
    const refreshToken = 'rp1.cGxhbnRlZA.eyJjdHkiOiJKV1QifQ.planted-key.planted-iv.planted-cipher.planted-tag.dGFn';
    recordSecret('client-secret', clientSecret, dir);
    recordSecret('token', refreshToken, dir);
    plant('stack.log', [
      `{"secret":"${clientSecret}"}`,
      `REFRESH_TOKEN=${refreshToken.split('.').slice(2, -1).join('.')}`,
    ]);
    expect(scanLogsForSecrets(dir)).toEqual(
      expect.arrayContaining([
        { file: 'stack.log', line: 1, kind: 'client-secret', form: 'raw' },
        { file: 'stack.log', line: 2, kind: 'token', form: 'cognito-refresh-token' },
      ]),
    );
  });

  it('fails the run with places and kinds, never the secret itself', () => {
    plant('stack.log', [`leaked ${password}`]);
    let message = '';
    try {
      assertNoSecretsInLogs(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Secrets found in log files/);
    expect(message).toContain('stack.log:1 (password, raw)');
    expect(message).not.toContain(password);
  });

  it("leaves the Cognito emulator's own state and log out (it stores passwords by design)", () => {
    plant('cognito/cognito-local.log', [password]);
    plant('stack.log', ['clean']);
    expect(logFiles(dir).map((f) => path.relative(dir, f))).toEqual(['stack.log']);
    expect(scanLogsForSecrets(dir)).toEqual([]);
  });
});

describe('this e2e run so far', () => {
  it('has recorded the secrets its suites use and none is in a log line yet (globalTeardown checks again at the end)', () => {
    const runDir = process.env.E2E_LOCAL_DIR;
    expect(runDir).toBeTruthy();
    expect(() => assertNoSecretsInLogs(runDir!)).not.toThrow();
  });
});
