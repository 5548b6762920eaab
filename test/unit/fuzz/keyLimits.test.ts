/**
 * Every value the contract accepts for a field that reaches a DynamoDB key must be storable: tenant,
 * agent (in a pop and in Desktop / Login), Campaign, Reference and Idempotency-Key, at every length the schema allows,
 * in the characters that URI-encode longest. Against dynalite, which enforces DynamoDB's key limits (2048-byte
 * partition key, 1024-byte sort key) as AWS does. Properties: never a 5xx; a valid pop is 202 and reads back as sent
 * (GET /pops/{PopId}), a repeat of its Idempotency-Key replays it.
 */
import fc from 'fast-check';
import {
  MAX_AGENT_NAME_LENGTH,
  MAX_CAMPAIGN_LENGTH,
  MAX_REFERENCE_LENGTH,
  PRINTABLE_PATTERN,
} from '../../../contract/limits';
import { keys, MAX_KEY_PART_BYTES } from '../../../lambdas/store/tableSchema';
import { expectEnvelope, lambdaContext, restEvent, startFuzzEnvironment, type FuzzEnvironment } from './harness';
import { sendOnConnection, type RestHandler } from '../support/tenantSetup';

jest.setTimeout(120_000);

let env: FuzzEnvironment;
beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

/** Characters that encode to 1, 2, 3, 6, 9 and 12 bytes in a key part, and the ones keys are built around. */
const wideChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('漢', '€', 'é', '😀', '#', '%', '=', 'a', ' ', 'Z') },
  // Any other grapheme an identifier may hold (the schema refuses controls, bidi and separators: not this test's case).
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => new RegExp(PRINTABLE_PATTERN, 'u').test(c)),
);
/** 1 to `max` characters (code points), biased to the longest: the lengths the schema allows. */
const text = (max: number) =>
  fc
    .oneof(fc.constant(max), fc.integer({ min: max - 8, max }), fc.integer({ min: 1, max }))
    .chain((length) =>
      fc
        .array(wideChar, { minLength: length, maxLength: length })
        .map((chars) => [...chars.join('')].slice(0, length).join('') || 'a'),
    );
const tenant = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,62}$/);
const idempotencyKey = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);

let connections = 0;
const claimsOf = (tenantName: string) => ({
  'cognito:username': 'crm',
  'custom:tenant': tenantName,
  'cognito:groups': 'api-callers',
});

async function putOnDesktop(
  who: { tenant: string; connectionId: string },
  agent: string,
  viaLogin: boolean,
): Promise<void> {
  await sendOnConnection(env, who, '$connect');
  const answer = viaLogin
    ? await sendOnConnection(env, who, 'Login', { Action: 'Login', Username: agent })
    : await sendOnConnection(env, who, 'Desktop', { Action: 'Desktop', Agents: [agent] });
  // A Desktop or Login that was handled answers nothing (or a 200 without an Error message).
  expect(answer).not.toMatch(/"Type":"Error"/);
}

describe('key parts at every length the schema allows', () => {
  it('bounds every encoded key part, so the longest key fits DynamoDB', () => {
    const longest = 'ꙮ'.repeat(MAX_REFERENCE_LENGTH);
    const claim = keys.claim('t'.repeat(63), longest, longest).PK;
    expect(Buffer.byteLength(claim)).toBeLessThanOrEqual(6 + 63 + 2 + 2 * MAX_KEY_PART_BYTES);
    // A value whose encoded form is '=' plus a hash never equals a hashed one: '=' is always escaped.
    expect(keys.idempotency('t', '=' + 'a'.repeat(43)).PK).toContain('%3D');
  });

  it('answers 202 or 400 with Details, never a 5xx, and stores what was sent (tenant, agent, Campaign, Reference, Idempotency-Key)', async () => {
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(
        tenant,
        text(MAX_AGENT_NAME_LENGTH),
        text(MAX_CAMPAIGN_LENGTH),
        fc.option(text(MAX_REFERENCE_LENGTH), { nil: undefined }),
        fc.option(idempotencyKey, { nil: undefined }),
        fc.boolean(),
        async (tenantName, agent, campaign, reference, key, viaLogin) => {
          const who = { tenant: tenantName, connectionId: `keylimits-${++connections}` };
          await putOnDesktop(who, agent, viaLogin);
          const body = JSON.stringify({
            Username: agent,
            Campaign: campaign,
            ...(reference !== undefined ? { Reference: reference } : {}),
          });
          const headers: Record<string, string> = key === undefined ? {} : { 'Idempotency-Key': key };
          const popEvent = () =>
            restEvent({ method: 'POST', resource: '/pop', headers, body, claims: claimsOf(tenantName) });
          const answer = await env.handler<RestHandler>('pop')(popEvent(), lambdaContext());
          const envelope = expectEnvelope(answer) as {
            Result?: { PopId: string };
            Error?: { Code: string; Details?: string[] };
          };
          statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
          expect(answer.statusCode).toBeLessThan(500);
          if (answer.statusCode === 400) {
            expect(envelope.Error?.Details?.length).toBeGreaterThan(0);
            return;
          }
          // Runs share the table, and short tenants repeat (and the shrinker replays a failing key with other
          // bodies): a key met before with another body, or a record claimed for another agent, is refused as
          // the API documents, which is a stored key answering, not a failure to store.
          const collision =
            (answer.statusCode === 422 && key !== undefined && envelope.Error?.Code === 'IdempotencyKeyReused') ||
            (answer.statusCode === 409 && reference !== undefined && envelope.Error?.Code === 'RecordOpenElsewhere');
          if (collision) return;
          expect(answer.statusCode).toBe(202);
          const popId = envelope.Result!.PopId;
          const status = await env.handler<RestHandler>('popStatus')(
            restEvent({
              method: 'GET',
              resource: '/pops/{PopId}',
              path: `/pops/${popId}`,
              pathParameters: { PopId: popId },
              claims: claimsOf(tenantName),
            }),
            lambdaContext(),
          );
          expect(status.statusCode).toBe(200);
          expect(JSON.parse(status.body).Result).toMatchObject({
            PopId: popId,
            Username: agent,
            Campaign: campaign,
            ...(reference !== undefined ? { Reference: reference } : {}),
          });
          if (key !== undefined) {
            const replay = await env.handler<RestHandler>('pop')(popEvent(), lambdaContext());
            expect([replay.statusCode, JSON.parse(replay.body).Result?.PopId]).toEqual([202, popId]);
          }
        },
      ),
      { numRuns: 150 },
    );
    console.log(`key limits: ${JSON.stringify(statuses)}`);
  });
});
