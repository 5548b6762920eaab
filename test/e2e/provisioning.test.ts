/**
 * The provisioning CLI end to end against the local stack's real cognito-local (started by globalSetup, which writes
 * the endpoints file named by E2E_ENDPOINTS_FILE). Most cases call `run(argv)` in process for speed; a few spawn
 * the CLI exactly as a vendor runs it (`tsx provisioning/main.ts` and the package bin `provisioning/bin.js`).
 * Every user here belongs to tenants made up for this run, so the test shares the pool with other suites safely.
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { API_CALLERS_GROUP, TENANT_CLAIM } from '../../lambdas/shared/identity';
import { adminSignIn } from '../../provisioning/adminSignIn';
import type { Io } from '../../provisioning/commands';
import { EXIT } from '../../provisioning/errors';
import type { UserJson } from '../../provisioning/format';
import { run } from '../../provisioning/main';
import { restCall, sharedStack, TestTenant } from './support/instanceHarness';

const ROOT = resolve(__dirname, '../..');
const ENDPOINTS_FILE = process.env.E2E_ENDPOINTS_FILE;
if (!ENDPOINTS_FILE) {
  throw new Error(
    'E2E_ENDPOINTS_FILE is not set: run the e2e project (`npm run test:e2e`), whose globalSetup starts the local stack',
  );
}
const endpoints = JSON.parse(readFileSync(ENDPOINTS_FILE, 'utf8')) as {
  RestApiUrl: string;
  UserPoolId: string;
  UserPoolClientId: string;
  Region: string;
  CognitoEndpoint: string;
};
const cognito = new CognitoIdentityProviderClient({
  endpoint: endpoints.CognitoEndpoint,
  region: endpoints.Region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** A tenant of this run only: `vt-<random>`. */
const runId = randomBytes(4).toString('hex');
const tenant = `vt-${runId}`;
const otherTenant = `vt-${runId}-other`;
const pagedTenant = `vt-${runId}-paged`;
const name = (suffix: string): string => `vt-${runId}-${suffix}`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in process, against the e2e pool, with no terminal. */
async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  target = ['--endpoints', ENDPOINTS_FILE!],
): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    interactive: false,
    ask: () => Promise.reject(new Error('no terminal')),
    readStdin: () => Promise.resolve(''),
    env,
  };
  const code = await run([...args, ...target], io);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** The CLI as a separate process (stdin a pipe, so not a terminal). */
function spawnCli(command: 'tsx' | 'bin', args: string[], input = ''): Promise<CliResult> {
  const [file, prefix] =
    command === 'tsx'
      ? [join(ROOT, 'node_modules/.bin/tsx'), ['provisioning/main.ts']]
      : [process.execPath, ['provisioning/bin.js']];
  return new Promise((done, fail) => {
    const child = spawn(file, [...prefix, ...args, '--endpoints', ENDPOINTS_FILE!], { cwd: ROOT, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

function generatedPassword(result: CliResult): string {
  const match = /^Password: (\S+)$/m.exec(result.stdout);
  if (!match) throw new Error(`no password in: ${result.stdout}`);
  return match[1]!;
}

async function signIn(username: string, password: string): Promise<{ idToken: string } | { error: string }> {
  try {
    const client = { userPoolId: endpoints.UserPoolId, clientId: endpoints.UserPoolClientId };
    return { idToken: (await adminSignIn(cognito, client, username, password)).IdToken ?? '' };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function claims(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Run `work` over `items` with at most `limit` at a time. */
async function withConcurrency<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const NO_STACK_TRACE = /^\s+at /m;

afterAll(() => cognito.destroy());

describe('user create', () => {
  it('creates a user with a generated password that signs in, as a vendor runs it (tsx)', async () => {
    const result = await spawnCli('tsx', [
      'user',
      'create',
      '--tenant',
      tenant,
      '--username',
      name('crm'),
      '--role',
      'api',
    ]);

    expect(result).toMatchObject({ code: EXIT.OK });
    expect(result.stdout).toContain(
      `Created user "${name('crm')}" of tenant "${tenant}" with role api (group api-callers).`,
    );
    expect(result.stderr).toContain(`Target: user pool ${endpoints.UserPoolId}`);
    const password = generatedPassword(result);
    expect(password.length).toBeGreaterThanOrEqual(16);
    const session = await signIn(name('crm'), password);
    expect(session).toHaveProperty('idToken');
    const token = claims((session as { idToken: string }).idToken);
    expect(token[TENANT_CLAIM]).toBe(tenant);
    expect(token['cognito:groups']).toEqual([API_CALLERS_GROUP]);
  });

  it('refuses a duplicate with the conflict exit code and no stack trace', async () => {
    const result = await spawnCli('tsx', [
      'user',
      'create',
      '--tenant',
      tenant,
      '--username',
      name('crm'),
      '--role',
      'api',
    ]);

    expect(result.code).toBe(EXIT.CONFLICT);
    expect(result.stderr).toContain(`Error: User "${name('crm')}" already exists`);
    expect(result.stderr).not.toMatch(NO_STACK_TRACE);
    expect(result.stdout).toBe('');
  });

  it('creates an instance user with a given password and an email, printing JSON without the password', async () => {
    const password = `Given-${runId}-Pass1!`;
    const result = await cli([
      'user',
      'create',
      '--tenant',
      tenant,
      '--username',
      name('inst'),
      '--role',
      'instance',
      '--email',
      `ops@${tenant}.example`,
      '--password',
      password,
      '--json',
    ]);

    expect(result.code).toBe(EXIT.OK);
    expect(JSON.parse(result.stdout)).toEqual({
      Username: name('inst'),
      Tenant: tenant,
      Role: 'instance',
      Groups: ['scripting-instances'],
      Email: `ops@${tenant}.example`,
      UserPoolId: endpoints.UserPoolId,
    });
    expect(await signIn(name('inst'), password)).toHaveProperty('idToken');
  });

  it.each([
    ['an invalid tenant', ['--tenant', 'Not_A_Tenant', '--username', 'ok-name'], /Invalid tenant "Not_A_Tenant"/],
    ['an invalid username', ['--tenant', tenant, '--username', 'has space'], /Invalid username "has space"/],
    ['an invalid email', ['--tenant', tenant, '--username', name('mail'), '--email', 'nope'], /Invalid email "nope"/],
    [
      'a weak password',
      ['--tenant', tenant, '--username', name('weak'), '--password', 'password'],
      /does not meet the user pool's policy/,
    ],
    // 12 characters of every class: enough for Cognito's default, too short for the pool's stated 14 (as deployed).
    [
      "a password shorter than the pool's 14",
      ['--tenant', tenant, '--username', name('weak'), '--password', 'Abcdef-1234!'],
      /does not meet the user pool's policy/,
    ],
  ])('refuses %s with exit 5 and creates nothing', async (_case, args, message) => {
    const result = await cli(['user', 'create', '--role', 'api', ...args]);

    expect(result.code).toBe(EXIT.INVALID_INPUT);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(NO_STACK_TRACE);
    expect((await cli(['user', 'show', name('weak')])).code).toBe(EXIT.NOT_FOUND);
  });

  it('refuses an unknown role as a usage error', async () => {
    const result = await cli(['user', 'create', '--tenant', tenant, '--username', name('x'), '--role', 'admin']);

    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toMatch(/argument 'admin' is invalid/);
  });
});

describe('user list', () => {
  beforeAll(async () => {
    expect(
      (await cli(['user', 'create', '--tenant', otherTenant, '--username', name('elsewhere'), '--role', 'api'])).code,
    ).toBe(EXIT.OK);
  });

  it('lists only the given tenant as JSON, with roles', async () => {
    const result = await spawnCli('tsx', ['user', 'list', '--tenant', tenant, '--json']);

    expect(result.code).toBe(EXIT.OK);
    const users = JSON.parse(result.stdout) as UserJson[];
    expect(users.map((user) => [user.Username, user.Tenant, user.Role, user.Status, user.Enabled])).toEqual([
      [name('crm'), tenant, 'api', 'CONFIRMED', true],
      [name('inst'), tenant, 'instance', 'CONFIRMED', true],
    ]);
    expect(users[1]!.Email).toBe(`ops@${tenant}.example`);
    expect(Date.parse(users[0]!.Created!)).not.toBeNaN();
  });

  it('prints a table for people', async () => {
    const result = await cli(['user', 'list', '--tenant', tenant]);

    expect(result.code).toBe(EXIT.OK);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+TENANT\s+ROLE\s+STATUS\s+ENABLED\s+CREATED$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${name('crm')}\\s+${tenant}\\s+api\\s+CONFIRMED\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`),
    );
    expect(lines[3]).toBe(`2 users of tenant "${tenant}"`);
  });

  // cognito-local answers ListUsers in one page whatever the Limit; the token loop itself is covered by
  // test/unit/provisioning/userDirectory.test.ts. Here: the CLI over 65 users of one tenant, as real Cognito pages them.
  it('lists every user of a tenant past one ListUsers page (65 users)', async () => {
    const usernames = Array.from({ length: 65 }, (_, index) => `${pagedTenant}-${String(index).padStart(2, '0')}`);
    await withConcurrency(usernames, 8, async (username) => {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: endpoints.UserPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: TENANT_CLAIM, Value: pagedTenant }],
        }),
      );
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: endpoints.UserPoolId,
          Username: username,
          GroupName: API_CALLERS_GROUP,
        }),
      );
    });

    const result = await cli(['user', 'list', '--tenant', pagedTenant, '--json']);

    expect(result.code).toBe(EXIT.OK);
    const users = JSON.parse(result.stdout) as UserJson[];
    expect(users.map((user) => user.Username)).toEqual(usernames);
    expect(users.every((user) => user.Role === 'api' && user.Tenant === pagedTenant)).toBe(true);
  }, 30_000);

  it('refuses an invalid tenant filter with exit 5', async () => {
    expect((await cli(['user', 'list', '--tenant', 'UPPER'])).code).toBe(EXIT.INVALID_INPUT);
  });
});

describe('user show', () => {
  it('shows one user for people and as JSON', async () => {
    const text = await cli(['user', 'show', name('inst')]);
    const json = await cli(['user', 'show', name('inst'), '--json']);

    expect(text.code).toBe(EXIT.OK);
    expect(text.stdout).toMatch(new RegExp(`^Username:\\s+${name('inst')}$`, 'm'));
    expect(text.stdout).toMatch(/^Role:\s+instance \(group scripting-instances\)$/m);
    expect(text.stdout).toMatch(/^Enabled:\s+yes$/m);
    expect(JSON.parse(json.stdout)).toMatchObject({
      Username: name('inst'),
      Tenant: tenant,
      Role: 'instance',
      Enabled: true,
    });
  });

  it('answers exit 3 for an unknown user', async () => {
    const result = await cli(['user', 'show', name('ghost')]);

    expect(result.code).toBe(EXIT.NOT_FOUND);
    expect(result.stderr).toContain(`Error: User "${name('ghost')}" was not found`);
  });
});

describe('user disable / enable', () => {
  it('disables and re-enables a user', async () => {
    const created = await cli(['user', 'create', '--tenant', tenant, '--username', name('toggle'), '--role', 'api']);
    const password = generatedPassword(created);

    const disabled = await cli(['user', 'disable', name('toggle')]);
    expect(disabled.code).toBe(EXIT.OK);
    const afterDisable = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: endpoints.UserPoolId, Username: name('toggle') }),
    );
    expect(afterDisable.Enabled).toBe(false);
    expect(JSON.parse((await cli(['user', 'show', name('toggle'), '--json'])).stdout)).toMatchObject({
      Enabled: false,
    });

    const enabled = await cli(['user', 'enable', name('toggle')]);
    expect(enabled.code).toBe(EXIT.OK);
    expect(JSON.parse((await cli(['user', 'show', name('toggle'), '--json'])).stdout)).toMatchObject({ Enabled: true });
    expect(await signIn(name('toggle'), password)).toHaveProperty('idToken');
  });

  // cognito-local 5.3.0's AdminInitiateAuth ignores `Enabled`, while Cognito refuses a disabled user; GET /auth checks the
  // user after sign-in too, so through the API the two agree.
  it('a disabled user cannot obtain a token from GET /auth; enabled again, it can', async () => {
    const created = await cli(['user', 'create', '--tenant', tenant, '--username', name('locked'), '--role', 'api']);
    const password = generatedPassword(created);
    const getAuth = () =>
      fetch(`${endpoints.RestApiUrl}/auth`, {
        headers: { Authorization: `Basic ${Buffer.from(`${name('locked')}:${password}`).toString('base64')}` },
      });
    expect((await cli(['user', 'disable', name('locked')])).code).toBe(EXIT.OK);
    const refused = await getAuth();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { Error: { Code: string } }).Error.Code).toBe('NotAuthorized');
    expect((await cli(['user', 'enable', name('locked')])).code).toBe(EXIT.OK);
    expect((await getAuth()).status).toBe(200);
  });

  it('answers exit 3 when disabling an unknown user', async () => {
    expect((await cli(['user', 'disable', name('ghost')])).code).toBe(EXIT.NOT_FOUND);
  });
});

describe('user set-password', () => {
  it('sets a given permanent password: the new one signs in, the old one no longer does', async () => {
    const created = await cli(['user', 'create', '--tenant', tenant, '--username', name('pw'), '--role', 'api']);
    const oldPassword = generatedPassword(created);
    const newPassword = `New-${runId}-Secret9?`;

    const result = await cli(['user', 'set-password', name('pw'), '--password', newPassword]);

    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).not.toContain(newPassword);
    expect(await signIn(name('pw'), newPassword)).toHaveProperty('idToken');
    expect(await signIn(name('pw'), oldPassword)).toHaveProperty('error');
  });

  it('generates and shows a password when none is given', async () => {
    const result = await cli(['user', 'set-password', name('pw')]);

    expect(result.code).toBe(EXIT.OK);
    expect(await signIn(name('pw'), generatedPassword(result))).toHaveProperty('idToken');
  });

  it('answers exit 3 for an unknown user and 5 for a weak password', async () => {
    expect((await cli(['user', 'set-password', name('ghost')])).code).toBe(EXIT.NOT_FOUND);
    expect((await cli(['user', 'set-password', name('pw'), '--password', 'Ab1!'])).code).toBe(EXIT.INVALID_INPUT);
  });
});

describe('user delete', () => {
  it('refuses without --yes when there is no terminal, and deletes nothing (package bin)', async () => {
    const result = await spawnCli('bin', ['user', 'delete', name('crm')]);

    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toContain('add --yes');
    expect((await cli(['user', 'show', name('crm')])).code).toBe(EXIT.OK);
  });

  it('deletes with --yes; a second delete answers exit 3', async () => {
    const result = await spawnCli('bin', ['user', 'delete', name('crm'), '--yes']);

    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).toContain(`User "${name('crm')}" deleted.`);
    expect((await cli(['user', 'show', name('crm')])).code).toBe(EXIT.NOT_FOUND);
    expect((await cli(['user', 'delete', name('crm'), '--yes'])).code).toBe(EXIT.NOT_FOUND);
  });
});

describe('target', () => {
  it('defaults to $LOCAL_DIR/endpoints.json and says how to start the stack when it is missing', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'provisioning-e2e-'));
    try {
      const result = await cli(['user', 'list'], { ...process.env, LOCAL_DIR: emptyDir }, []);

      expect(result.code).toBe(EXIT.TARGET);
      expect(result.stderr).toContain('No target');
      expect(result.stderr).toContain('npm start');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('answers exit 6 when the endpoints file names a pool that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provisioning-e2e-'));
    try {
      const file = join(dir, 'endpoints.json');
      writeFileSync(file, JSON.stringify({ ...endpoints, UserPoolId: 'local_doesnotexist' }));
      const result = await cli(['user', 'list'], { ...process.env, LOCAL_DIR: dir }, []);

      expect(result.code).toBe(EXIT.TARGET);
      expect(result.stderr).toMatch(/user pool local_doesnotexist .* does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('webhooks list and remove', () => {
  it('lists a webhook registered through the REST API, removes it, and then lists none', async () => {
    const owner = await TestTenant.create(sharedStack());
    const registered = await restCall(owner.stack, 'POST', '/webhooks', {
      token: await owner.token(),
      body: { Url: 'http://127.0.0.1:9/hooks' },
    });
    expect(registered.status).toBe(200);
    const webhookId: string = registered.body.Result.WebhookId;

    const listed = await cli(['webhooks', 'list', '--tenant', owner.tenant, '--json']);
    expect(listed.code).toBe(EXIT.OK);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ WebhookId: webhookId, Url: 'http://127.0.0.1:9/hooks', State: 'Active' }),
    ]);
    expect(listed.stdout).not.toContain(registered.body.Result.Secret);
    expect((await cli(['webhooks', 'list', '--tenant', owner.tenant])).stdout).toContain(
      `${webhookId}  http://127.0.0.1:9/hooks`,
    );

    expect((await cli(['webhooks', 'remove', '--tenant', otherTenant, '--id', webhookId])).code).toBe(EXIT.NOT_FOUND);
    const removed = await cli(['webhooks', 'remove', '--tenant', owner.tenant, '--id', webhookId]);
    expect(removed).toMatchObject({
      code: EXIT.OK,
      stdout: `Webhook "${webhookId}" of tenant "${owner.tenant}" removed.`,
    });

    const after = await cli(['webhooks', 'list', '--tenant', owner.tenant]);
    expect(after).toMatchObject({ code: EXIT.OK, stdout: `0 webhooks of tenant "${owner.tenant}"` });
    expect((await restCall(owner.stack, 'GET', '/webhooks', { token: await owner.token() })).body.Result).toMatchObject(
      { Webhooks: [] },
    );
  });
});
