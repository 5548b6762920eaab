/**
 * The pushed message's bound and the replayed answer's headers, in process against dynalite. The message an instance receives is bounded, not only the
 * body: ScriptData numbers are re-written when serialised (`1e20` -> 21 characters), so a body under the 31 KB cap
 * can become a larger message. Property: a pop is 202 and its pushed message is at most MAX_POP_MESSAGE_BYTES (and
 * exactly the size popMessageBytes predicts), or it is refused 413 PayloadTooLarge before anything is claimed, stored
 * or pushed; never a 5xx. And an Idempotency-Key replay is the first answer, headers included.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_POP_BODY_BYTES, MAX_POP_MESSAGE_BYTES } from '../../../contract/limits';
import { popMessageBytes } from '../../../lambdas/pops/popHandler';
import {
  countWrites,
  expectEnvelope,
  lambdaContext,
  restEvent,
  seedPresence,
  startFuzzEnvironment,
  type FuzzEnvironment,
} from './harness';

jest.setTimeout(120_000);

type Rest = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let env: FuzzEnvironment;
let pop: Rest;
let writes: { take(): string[] };
const TENANT = 'bound-tenant';
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

beforeAll(async () => {
  env = await startFuzzEnvironment();
  pop = env.handler<Rest>('pop');
  await seedPresence(env.table, TENANT, 'agent1', 'bound-conn');
  writes = countWrites(env.clients.db);
});
afterAll(async () => env?.stop());

/** A body of `count` ScriptData numbers written short (`1e20`), padded toward the body cap. */
const numbersBody = fc
  .tuple(
    fc.integer({ min: 1, max: 500 }),
    fc.integer({ min: 2, max: 60 }),
    fc.constantFrom('1e20', '1e19', '9e20', '1E20', '5e-7', '1.5e10'),
    fc.boolean(),
  )
  .map(([count, keyLength, number, reference]) => {
    const entries = Array.from({ length: count }, (_, i) => `"${`k${i}`.padEnd(keyLength, 'x')}":${number}`).join(',');
    return `{"Username":"agent1","Campaign":"Sales",${reference ? `"Reference":"R-${count}-${number}",` : ''}"ScriptData":{${entries}}}`;
  })
  .filter((body) => Buffer.byteLength(body) <= MAX_POP_BODY_BYTES);

describe('the pushed message is bounded, not only the body', () => {
  it('a 31 KB body of 498 numbers like 1e20 (a 40 KB message) is refused 413, nothing written or pushed', async () => {
    const entries = Array.from({ length: 498 }, (_, i) => `"${`k${i}`.padEnd(54, 'x')}":1e20`);
    const body = `{"Username":"agent1","Campaign":"Sales","ScriptData":{${entries.join(',')}}}`;
    expect(popMessageBytes(JSON.parse(body))).toBeGreaterThan(39_000);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_POP_BODY_BYTES);
    const pushedBefore = env.pushed.length;
    writes.take();
    const answer = await pop(
      restEvent({ method: 'POST', resource: '/pop', headers: {}, body, claims }),
      lambdaContext(),
    );
    expect([answer.statusCode, JSON.parse(answer.body).Error.Code]).toEqual([413, 'PayloadTooLarge']);
    expect(JSON.parse(answer.body).Error.Message).toMatch(/at most 32768 bytes/);
    expect(writes.take()).toEqual([]);
    expect(env.pushed.length).toBe(pushedBefore);
  });

  it('every accepted pop is pushed within MAX_POP_MESSAGE_BYTES, at the size predicted before claiming', async () => {
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(numbersBody, async (body) => {
        const pushedBefore = env.pushed.length;
        const answer = await pop(
          restEvent({ method: 'POST', resource: '/pop', headers: {}, body, claims }),
          lambdaContext(),
        );
        const envelope = expectEnvelope(answer);
        statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
        const predicted = popMessageBytes(JSON.parse(body));
        if (predicted > MAX_POP_MESSAGE_BYTES) {
          expect([answer.statusCode, envelope.Error?.Code]).toEqual([413, 'PayloadTooLarge']);
          expect(env.pushed.length).toBe(pushedBefore);
          return;
        }
        expect(answer.statusCode).toBe(202);
        const pushed = env.pushed.slice(pushedBefore);
        for (const message of pushed) expect(Buffer.byteLength(message)).toBe(predicted);
      }),
      { numRuns: 120 },
    );
    expect(statuses[413]).toBeGreaterThan(0);
    expect(statuses[202]).toBeGreaterThan(0);
  });
});

describe('an Idempotency-Key replay (item 12)', () => {
  it.each([
    ['a 202', 'agent1'],
    ['a 404 refusal', 'nobody-here'],
  ])("of %s carries the first answer's headers, Cache-Control: no-store included", async (_, agent) => {
    const event = () =>
      restEvent({
        method: 'POST',
        resource: '/pop',
        headers: { 'Idempotency-Key': `replay-${agent}` },
        body: JSON.stringify({ Username: agent, Campaign: 'Sales' }),
        claims,
      });
    const first = await pop(event(), lambdaContext());
    const replay = await pop(event(), lambdaContext());
    expect(replay.headers).toEqual({ ...first.headers, 'Idempotent-Replayed': 'true' });
    expect(replay.headers?.['Cache-Control']).toBe('no-store');
    expect([replay.statusCode, replay.body]).toEqual([first.statusCode, first.body]);
  });
});
