/**
 * Disabled means out at once (docs/edge.md, lambdas/auth/revocations.ts): `user disable` through the provisioning CLI
 * closes the instance user's WebSocket within 5 seconds and refuses its token at the next handshake; a disabled
 * api-caller's next pop with the token it already holds is 401, and so is a read (GET /pops/{PopId}). Against the
 * shared local stack (globalSetup).
 */
import type { Io } from '../../provisioning/commands';
import { EXIT } from '../../provisioning/errors';
import { run } from '../../provisioning/main';
import { callApi, connectInstance, createUser, getToken, handshakeStatus, pop, uniqueTenant } from './support';

const ENDPOINTS_FILE = process.env.E2E_ENDPOINTS_FILE;
// Sign-ins, a connect and the CLI's calls on a busy machine; the 5 s the issue sets is checked by `within` below.
jest.setTimeout(30_000);

/** The provisioning CLI in process against the e2e stack (its endpoints file names the pool, table and WebSocket). */
async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout: string[] = [];
  const io: Io = {
    out: (line) => stdout.push(line),
    err: () => undefined,
    interactive: false,
    ask: () => Promise.reject(new Error('no terminal')),
    readStdin: () => Promise.resolve(''),
    env: process.env,
  };
  const code = await run([...args, '--endpoints', ENDPOINTS_FILE!], io);
  return { code, stdout: stdout.join('\n') };
}

/** Rejects when `promise` has not settled within `ms`: the bound the issue sets, not a margin for a race. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('disabled means out at once', () => {
  it("a disabled instance user's socket is closed within 5 s and its token refused at the next handshake", async () => {
    // GIVEN an instance connected with its token
    const instance = await createUser(uniqueTenant(), 'instance');
    const { IdToken } = await getToken(instance.username, instance.password);
    const connection = await connectInstance(IdToken);
    // WHEN the vendor disables the user
    const disabled = await cli(['user', 'disable', instance.username]);
    expect(disabled.code).toBe(EXIT.OK);
    expect(disabled.stdout).toContain('1 WebSocket connection(s) closed');
    // THEN the socket closes, and the same token no longer connects
    await within(connection.closed, 5000, 'the close of the disabled instance user’s socket');
    expect(await handshakeStatus(IdToken)).toBe(401);
  });

  it("a disabled caller's next pop with the token it holds is 401 Unauthorized", async () => {
    // GIVEN an api-caller whose token is accepted
    const caller = await createUser(uniqueTenant(), 'api');
    const { IdToken } = await getToken(caller.username, caller.password);
    const body = { Username: 'agent-nobody', Campaign: 'c', Workflow: 'w' };
    expect((await pop(IdToken, body)).status).not.toBe(401);
    // WHEN the vendor disables it
    expect((await cli(['user', 'disable', caller.username])).code).toBe(EXIT.OK);
    // THEN the next pop is refused, in the envelope
    const refused = await pop(IdToken, body);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ Error: { Code: 'Unauthorized' } });
  });

  it("a disabled caller's token is refused on a read route too (the REST authorizer checks the revocation)", async () => {
    // GIVEN an api-caller that can read a pop (none by that id: 404)
    const caller = await createUser(uniqueTenant(), 'api');
    const { IdToken } = await getToken(caller.username, caller.password);
    expect((await callApi('GET', '/pops/no-such-pop', { token: IdToken })).status).toBe(404);
    // WHEN the vendor disables it (which also flushes the REST authorizer's cache of the stage)
    const disabled = await cli(['user', 'disable', caller.username]);
    expect(disabled.code).toBe(EXIT.OK);
    expect(disabled.stdout).not.toContain('could not be flushed');
    // THEN the same read is refused by the authorizer before any function runs, in the envelope
    const refused = await callApi('GET', '/pops/no-such-pop', { token: IdToken });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ Success: false, Error: { Code: 'Unauthorized' } });
  });
});
