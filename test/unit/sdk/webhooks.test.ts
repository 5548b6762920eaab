/**
 * The SDK's webhook management (sdk/src/client.ts: createWebhook, listWebhooks, getWebhook, deleteWebhook,
 * rotateWebhookSecret, testWebhook) against the fake API (fakeApi.ts): the requests each sends and the refusals.
 */
import { RefusedError, RemotePopClient, type Webhook } from '../../../sdk/src';
import { fail, FakeApi, ok, PASSWORD, USERNAME } from './fakeApi';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(() => api.stop());

const client = () =>
  new RemotePopClient({
    baseUrl: api.url,
    username: USERNAME,
    password: PASSWORD,
    retry: { baseDelayMs: 10, maxDelayMs: 40, deadlineMs: 5_000 },
  });

const webhook = (WebhookId: string): Webhook => ({
  WebhookId,
  Url: 'https://crm.example.com/hooks',
  Events: ['Opened', 'Failed'],
  State: 'Active',
  CreatedAt: new Date(0).toISOString(),
  DeadLettered: 0,
});

describe('webhook management', () => {
  test('createWebhook posts the request as JSON and resolves with the endpoint and its secret', async () => {
    api.on('POST /webhooks', () => ok({ ...webhook('w1'), Secret: 'whsec_abc' }));
    const created = await client().createWebhook({
      Url: 'https://crm.example.com/hooks',
      Events: ['Opened', 'Failed'],
    });
    expect(created).toMatchObject({ WebhookId: 'w1', Secret: 'whsec_abc' });
    const [request] = api.of('POST /webhooks');
    expect(JSON.parse(request!.body)).toEqual({ Url: 'https://crm.example.com/hooks', Events: ['Opened', 'Failed'] });
  });

  test('listWebhooks resolves with the list; getWebhook, deleteWebhook, rotate and test address one by its id', async () => {
    api.on('GET /webhooks', () => ok({ Webhooks: [webhook('w1'), webhook('w2')] }));
    api.on('GET /webhooks/*', () => ok(webhook('w/1')));
    api.on('DELETE /webhooks/*', () => ok({ WebhookId: 'w/1' }));
    api.on('POST /webhooks/*', (request) =>
      request.path.endsWith('/rotate-secret')
        ? ok({ WebhookId: 'w/1', Secret: 'whsec_new', PreviousSecretExpiresAt: new Date(0).toISOString() })
        : ok({ WebhookId: 'w/1', MessageId: 'msg_1' }, 202),
    );
    const sdk = client();
    expect((await sdk.listWebhooks()).map((w) => w.WebhookId)).toEqual(['w1', 'w2']);
    expect(await sdk.getWebhook('w/1')).toMatchObject({ WebhookId: 'w/1' });
    await sdk.deleteWebhook('w/1');
    expect(await sdk.rotateWebhookSecret('w/1')).toMatchObject({ Secret: 'whsec_new' });
    expect(await sdk.testWebhook('w/1')).toEqual({ WebhookId: 'w/1', MessageId: 'msg_1' });
    const encoded = `/webhooks/${encodeURIComponent('w/1')}`;
    expect(api.of('GET /webhooks/*')[0]!.path).toBe(encoded);
    expect(api.of('DELETE /webhooks/*')[0]!.path).toBe(encoded);
    expect(api.of('POST /webhooks/*').map((r) => r.path)).toEqual([`${encoded}/rotate-secret`, `${encoded}/test`]);
  });

  test.each([
    ['createWebhook', 422, 'WebhookUrlRefused'],
    ['getWebhook', 404, 'WebhookNotFound'],
  ] as const)('%s: %i %s is a RefusedError at once, not retried', async (method, status, code) => {
    api.on('POST /webhooks', () => fail(status, code));
    api.on('GET /webhooks/*', () => fail(status, code));
    const sdk = client();
    const call = method === 'createWebhook' ? sdk.createWebhook({ Url: 'http://10.0.0.1/' }) : sdk.getWebhook('w1');
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ code, status, attempts: 1 });
  });
});
