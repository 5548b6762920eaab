/**
 * The local stack remembers (local/stack.ts startEmulators): started with a data folder, as `npm start` is, a
 * restart keeps the user pool with its users and groups along with the table, so a user made with the provisioning
 * code signs in after the restart with the same password; the demo users get the new start's passwords, written to
 * the owner-only `$LOCAL_DIR/demo.env`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchE2eStack, type LaunchedStack } from './support/e2eStack';
import { basicAuthorization, createStackUser, restCall, type StackTarget } from './support/instanceHarness';
import { uniqueTenant } from './support/names';
import { recordSecret } from './support/secrets';

jest.setTimeout(120_000);

const runDir = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
const localDir = mkdtempSync(path.join(runDir, 'remembering-stack-'));
const dataDir = path.join(localDir, 'data');
const stacks: LaunchedStack[] = [];

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  // The emulators' state holds passwords: not left for the logs' scan.
  rmSync(dataDir, { recursive: true, force: true });
});

const launch = async (label: string) => {
  const stack = await launchE2eStack({ localDir, dataDir, quiet: true }, label);
  stacks.push(stack);
  recordSecret('password', stack.demo.api.password);
  recordSecret('password', stack.demo.instance.password);
  return stack;
};

const signIn = async (stack: StackTarget, user: { username: string; password: string }) =>
  (await restCall(stack, 'GET', '/auth', { headers: { Authorization: basicAuthorization(user) } })).status;

/** The demo api-caller as `$LOCAL_DIR/demo.env` gives it. */
function demoEnv(): { username: string; password: string; url: string } {
  const text = readFileSync(path.join(localDir, 'demo.env'), 'utf8');
  const value = (name: string) =>
    new RegExp(`^export ${name}='((?:[^']|'\\\\'')*)'$`, 'm').exec(text)![1]!.replace(/'\\''/g, "'");
  return {
    url: value('REMOTE_POP_URL'),
    username: value('REMOTE_POP_USERNAME'),
    password: value('REMOTE_POP_PASSWORD'),
  };
}

test('a restart over the same data folder keeps users and groups; demo.env holds the new demo password', async () => {
  const first = await launch('remembering stack (first start)');
  const user = await createStackUser(first, uniqueTenant(), 'api');
  expect(await signIn(first, user)).toBe(200);
  const poolId = first.endpoints.UserPoolId;
  await first.stop();

  const second = await launch('remembering stack (second start)');
  expect(second.endpoints.UserPoolId).toBe(poolId);
  // The user made before the restart: same password, still an api-caller of its tenant.
  expect(await signIn(second, user)).toBe(200);
  const demo = demoEnv();
  expect(demo).toEqual({ url: second.endpoints.RestApiUrl, ...second.demo.api });
  expect(demo.password).not.toBe(first.demo.api.password);
  expect(await signIn(second, demo)).toBe(200);
  expect(await signIn(second, { username: demo.username, password: first.demo.api.password })).toBe(401);
  expect(statSync(path.join(localDir, 'demo.env')).mode & 0o777).toBe(0o600);
});
