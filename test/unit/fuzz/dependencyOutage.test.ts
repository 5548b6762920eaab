/**
 * Property-based outages inside one POST /pop: DynamoDB stops answering at a generated point of the request (the
 * k-th table call and every one after it fail as a network failure would), then comes back and the caller retries
 * the same pop, as the 503 told it to. Properties: the first answer is 202 or 503 in the envelope (never 500); the
 * retry is 202 (or 409 RequestInProgress while the failed attempt's claim could still be in flight, then 202); the
 * PopId it returns exists; the record was pushed exactly once over both attempts, with that PopId.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { PopStore } from '../../../lambdas/pops/popStore';
import {
  expectEnvelope,
  lambdaContext,
  restEvent,
  seedPresence,
  startFuzzEnvironment,
  type FuzzEnvironment,
} from './harness';

jest.setTimeout(60_000);

const TENANT = 'outage-tenant';
const AGENT = 'agent1';
const CONNECTION = 'Outage+Conn/1=';
const claims = { 'cognito:username': 'caller', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

let env: FuzzEnvironment;
let pop: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
/** Table calls of the current attempt, and from which one (0-based) they fail; Infinity: no outage. */
const outage = { calls: 0, failFrom: Number.POSITIVE_INFINITY };

beforeAll(async () => {
  env = await startFuzzEnvironment();
  pop = env.handler('pop');
  env.clients.db.middlewareStack.add(
    (next: (args: any) => Promise<any>) => async (args: any) => {
      if (outage.calls++ >= outage.failFrom) {
        // What the SDK raises when the endpoint refuses connections (after its retries).
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), {
          name: 'Error',
          code: 'ECONNREFUSED',
          $metadata: { attempts: 3 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectedOutage' },
  );
  await seedPresence(env.table, TENANT, AGENT, CONNECTION);
});
afterAll(async () => env?.stop());

let run = 0;
const firstAnswers: Record<number, number> = {};
afterAll(() => console.log(`outage: first answers ${JSON.stringify(firstAnswers)}`));

async function attempt(body: unknown, failFrom: number): Promise<APIGatewayProxyResult> {
  outage.calls = 0;
  outage.failFrom = failFrom;
  try {
    return await pop(
      restEvent({ method: 'POST', resource: '/pop', body: JSON.stringify(body), claims }),
      lambdaContext(),
    );
  } finally {
    outage.failFrom = Number.POSITIVE_INFINITY;
  }
}

describe('POST /pop when DynamoDB fails part-way through', () => {
  it('answers 202 or 503, and the retry delivers the pop exactly once with a PopId that exists', async () => {
    const store = new PopStore(env.table.db, env.table.tableName);
    await fc.assert(
      fc.asyncProperty(fc.nat(6), fc.boolean(), async (failFrom, withReference) => {
        const reference = `OUT-${++run}`;
        const body = {
          Username: AGENT,
          Campaign: 'Sales',
          ...(withReference ? { Reference: reference } : {}),
          ScriptData: { Run: reference },
        };
        const first = await attempt(body, failFrom);
        expectEnvelope(first);
        expect([202, 503]).toContain(first.statusCode);
        firstAnswers[first.statusCode] = (firstAnswers[first.statusCode] ?? 0) + 1;

        // Without a Reference a pop takes no claim: a retry after a 202 is simply a second pop, so retry only after a 503.
        let final = first.statusCode === 202 && !withReference ? first : await attempt(body, Number.POSITIVE_INFINITY);
        if (final.statusCode === 409) {
          // The failed attempt left its claim behind (the table was down when it tried to give it back): until no
          // attempt can still be running, the retry is told to wait, and nothing has been pushed meanwhile.
          expect(JSON.parse(final.body).Error.Code).toBe('RequestInProgress');
          expect(final.headers?.['Retry-After']).toBe('1');
          expect(env.pushed.map((m) => JSON.parse(m)).filter((m) => m.ScriptData?.Run === reference)).toEqual([]);
          const realNow = Date.now();
          const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow + 31_000);
          try {
            final = await attempt(body, Number.POSITIVE_INFINITY);
          } finally {
            clock.mockRestore();
          }
        }
        expect(final.statusCode).toBe(202);
        const popId = JSON.parse(final.body).Result.PopId as string;
        expect(await store.getPop(TENANT, popId)).toMatchObject({ PopId: popId, Username: AGENT });
        const pushes = env.pushed.map((m) => JSON.parse(m)).filter((m) => m.ScriptData?.Run === reference);
        expect(pushes.map((m) => m.PopId)).toEqual([popId]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('an Idempotency-Key whose request failed with the table', () => {
  it('is "in progress" only for the lease, then free for the retry; an answered key keeps its answer', async () => {
    let now = Date.now();
    const store = new PopStore(env.table.db, env.table.tableName, () => now);
    const day = 24 * 60 * 60 * 1000;
    // The first request reserved the key, then the table failed before it could answer or release it.
    expect(await store.reserveIdempotencyKey(TENANT, 'stuck-key', 'fp', day, 60_000)).toEqual({ kind: 'reserved' });
    now += 1_000;
    expect(await store.reserveIdempotencyKey(TENANT, 'stuck-key', 'fp', day, 60_000)).toEqual({ kind: 'inProgress' });
    now += 60_000;
    expect(await store.reserveIdempotencyKey(TENANT, 'stuck-key', 'fp', day, 60_000)).toEqual({ kind: 'reserved' });

    const answer = { requestId: 'req-1', outcome: { kind: 'accepted', popId: 'p-1' } };
    await store.storeIdempotentAnswer(TENANT, 'stuck-key', answer);
    now += 120_000;
    expect(await store.reserveIdempotencyKey(TENANT, 'stuck-key', 'fp', day, 60_000)).toEqual({
      kind: 'answered',
      answer,
    });
  });
});
