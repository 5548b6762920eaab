/**
 * verifyWebhook (sdk/src/webhooks.ts) against the Standard Webhooks reference implementation (the `standardwebhooks`
 * package): what it signs, we accept; what it refuses (tampered body, wrong secret, stale or future timestamp,
 * missing headers), we refuse.
 */
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from '../../../sdk/src';

const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
const BODY = JSON.stringify({ type: 'pop.opened', data: { PopId: 'p-1', Status: 'Opened' } });

function signed(body = BODY, at = new Date(), id = 'msg_2Lx3') {
  const signature = new Webhook(SECRET).sign(id, at, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

it('accepts what the reference implementation signs, from plain headers, Headers and a byte body', async () => {
  const headers = signed();
  expect(await verifyWebhook(headers, BODY, SECRET)).toEqual(JSON.parse(BODY));
  expect(await verifyWebhook(new Headers(headers), Buffer.from(BODY), SECRET)).toEqual(JSON.parse(BODY));
  expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
});

it('accepts when any one of several signatures matches (secret rotation), with or without the whsec_ prefix', async () => {
  const headers = signed();
  const rotated = {
    ...headers,
    'webhook-signature': `v1,${Buffer.from('x'.repeat(32)).toString('base64')} ${headers['webhook-signature']}`,
  };
  expect(await verifyWebhook(rotated, BODY, SECRET)).toMatchObject({ type: 'pop.opened' });
  expect(await verifyWebhook(rotated, BODY, SECRET.slice('whsec_'.length))).toMatchObject({ type: 'pop.opened' });
});

it('refuses what the reference implementation refuses', async () => {
  const otherSecret = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
  const cases: { name: string; headers: Record<string, string>; body: string; secret: string }[] = [
    { name: 'tampered body', headers: signed(), body: BODY.replace('Opened', 'Failed'), secret: SECRET },
    { name: 'wrong secret', headers: signed(), body: BODY, secret: otherSecret },
    { name: 'other id', headers: { ...signed(), 'webhook-id': 'msg_other' }, body: BODY, secret: SECRET },
    { name: 'stale', headers: signed(BODY, new Date(Date.now() - 10 * 60_000)), body: BODY, secret: SECRET },
    { name: 'future', headers: signed(BODY, new Date(Date.now() + 10 * 60_000)), body: BODY, secret: SECRET },
    {
      name: 'v2 only',
      headers: { ...signed(), 'webhook-signature': signed()['webhook-signature'].replace('v1,', 'v2,') },
      body: BODY,
      secret: SECRET,
    },
  ];
  for (const c of cases) {
    expect(() => new Webhook(c.secret).verify(c.body, c.headers)).toThrow();
    expect(await refusal(verifyWebhook(c.headers, c.body, c.secret))).toMatch(/signature|tolerance/);
  }
  const { 'webhook-signature': _dropped, ...unsigned } = signed();
  expect(await refusal(verifyWebhook(unsigned, BODY, SECRET))).toBe('Missing webhook-signature header');
  expect(await refusal(verifyWebhook({ ...signed(), 'webhook-timestamp': 'soon' }, BODY, SECRET))).toBe(
    'Invalid webhook-timestamp',
  );
});
