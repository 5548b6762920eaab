/**
 * The SDK's token and retry rules (sdk/src/tokens.ts, transport.ts, retry.ts) against a fake API on a free port
 * (fakeApi.ts): one sign-in per client, refresh before expiry and after a 401, Basic again when the refresh is
 * refused, retries only of what may be retried, Retry-After and the deadline honoured, cancellation.
 */
import { RefusedError, RemotePopClient, UnavailableError, type RemotePopClientOptions } from '../../../sdk/src';
import { fail, FakeApi, ok, PASSWORD, popStatus, USERNAME } from './fakeApi';

let api: FakeApi;
/** Ends every client of a test when it is over, so no retry or background refresh outlives it. */
let clients: AbortController;
beforeEach(async () => {
  api = await FakeApi.start();
  clients = new AbortController();
});
afterEach(() => {
  clients.abort();
  return api.stop();
});

const AGENT_POP = {
  Username: 'agent1',
  Campaign: 'Sales',
  Reference: 'ORDER-1',
  ScriptData: { 'Contact Name': 'Ada' },
};
const fastRetry = { baseDelayMs: 10, maxDelayMs: 40, deadlineMs: 5_000 };
const client = (options: Partial<RemotePopClientOptions> = {}) =>
  new RemotePopClient({
    baseUrl: api.url,
    username: USERNAME,
    password: PASSWORD,
    retry: fastRetry,
    signal: clients.signal,
    ...options,
  } as RemotePopClientOptions);
const bearerOf = (request: { headers: Record<string, unknown> }) =>
  String(request.headers.authorization).replace('Bearer ', '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Pops until one carries `bearer`. The renewal runs in the background, so how many pops go out before the client
 * has read its answer depends on the machine's load: wait on the event (a pop with the new token), not a pause.
 */
async function popUntilBearer(remotePop: RemotePopClient, bearer: string): Promise<void> {
  for (let sent = 0; sent < 200; sent++) {
    await remotePop.pop(AGENT_POP);
    if (bearerOf(api.of('POST /pop').at(-1)!) === bearer) return;
    await sleep(10);
  }
  throw new Error(`no pop carried ${bearer}`);
}

/** At least `before` pops with the first token, then the second token only: renewed once, never back. */
function expectBearersSwitchOnce(first: string, second: string, before: number): void {
  const bearers = api.of('POST /pop').map(bearerOf);
  const switchedAt = bearers.indexOf(second);
  expect(switchedAt).toBeGreaterThanOrEqual(before);
  expect(bearers.slice(0, switchedAt)).toEqual(Array(switchedAt).fill(first));
  expect(bearers.slice(switchedAt)).toEqual([second]);
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('tokens', () => {
  it('concurrent first calls share one sign-in, and later calls re-use its token', async () => {
    const remotePop = client();
    const popIds = await Promise.all(Array.from({ length: 25 }, () => remotePop.pop(AGENT_POP)));
    for (let i = 0; i < 25; i++) await remotePop.pop(AGENT_POP);

    expect(new Set(popIds).size).toBe(25);
    expect(api.count('GET /auth')).toBe(1);
    expect(api.count('POST /auth/refresh')).toBe(0);
    expect(new Set(api.of('POST /pop').map(bearerOf))).toEqual(new Set(['eyJ.id-token-1.sig1']));
  });

  it('refreshes with the RefreshToken shortly before expiry, without a second sign-in', async () => {
    api.expiresInSeconds = 60;
    // The refreshed token is not due for renewal during the test: on a loaded machine popUntilBearer may take more than
    // 100 ms after the refresh, which made a second refresh due (seen once: 2 refreshes).
    api.on('POST /auth/refresh', () => {
      api.expiresInSeconds = 7200;
      return undefined;
    });
    const remotePop = client({ refreshBeforeExpiryMs: 59_900 }); // renew 100 ms after issue
    await remotePop.pop(AGENT_POP);
    await sleep(150);
    // Due for renewal but still valid: these go on with it while the refresh runs in the background.
    await Promise.all([remotePop.pop(AGENT_POP), remotePop.pop(AGENT_POP)]);
    await popUntilBearer(remotePop, 'eyJ.id-token-2.sig2');

    expect(api.count('GET /auth')).toBe(1);
    expect(api.count('POST /auth/refresh')).toBe(1);
    expect(JSON.parse(api.of('POST /auth/refresh')[0]!.body)).toEqual({ RefreshToken: 'refresh-token-1-secret' });
    expectBearersSwitchOnce('eyJ.id-token-1.sig1', 'eyJ.id-token-2.sig2', 3);
  });

  it('signs in again with Basic when the refresh is refused', async () => {
    api.on('POST /auth/refresh', () => {
      api.expiresInSeconds = 7200; // the next sign-in's token is not due for renewal during the test
      return fail(401, 'NotAuthorized');
    });
    const remotePop = client({ refreshBeforeExpiryMs: 3_599_950 });
    await remotePop.pop(AGENT_POP);
    await sleep(100);
    await remotePop.pop(AGENT_POP);
    await popUntilBearer(remotePop, 'eyJ.id-token-2.sig2');

    expect(api.count('POST /auth/refresh')).toBe(1);
    expect(api.count('GET /auth')).toBe(2);
    expectBearersSwitchOnce('eyJ.id-token-1.sig1', 'eyJ.id-token-2.sig2', 2);
  });

  it('keeps a still-valid token when the refresh finds the identity provider down', async () => {
    api.on('POST /auth/refresh', () => fail(502, 'UpstreamError'));
    const remotePop = client({ refreshBeforeExpiryMs: 3_599_950, retry: { ...fastRetry, deadlineMs: 200 } });
    await remotePop.pop(AGENT_POP);
    await sleep(100);
    expect(await remotePop.pop(AGENT_POP)).toBe('pop-2');
    await sleep(300); // the background refresh gives up (its deadline)
    expect(await remotePop.pop(AGENT_POP)).toBe('pop-3');
    expect(api.count('POST /auth/refresh')).toBeGreaterThanOrEqual(2);
    expect(api.count('GET /auth')).toBe(1);
    expect(api.of('POST /pop').map(bearerOf)).toEqual([
      'eyJ.id-token-1.sig1',
      'eyJ.id-token-1.sig1',
      'eyJ.id-token-1.sig1',
    ]);
  });

  it('a 401 mid-flight renews the token once and sends the pop again with the same Idempotency-Key', async () => {
    const remotePop = client();
    await remotePop.pop(AGENT_POP);
    api.validTokens.clear(); // revoked, or expired early

    expect(await remotePop.pop(AGENT_POP, { idempotencyKey: 'crm-call-8812' })).toBe('pop-3');
    const [, refused, resent] = api.of('POST /pop');
    expect(bearerOf(refused!)).toBe('eyJ.id-token-1.sig1');
    expect(bearerOf(resent!)).toBe('eyJ.id-token-2.sig2');
    expect([refused!.headers['idempotency-key'], resent!.headers['idempotency-key']]).toEqual([
      'crm-call-8812',
      'crm-call-8812',
    ]);
    expect(api.count('POST /auth/refresh')).toBe(1);
  });

  it('a second 401 after the renewal is surfaced as a refusal, not looped on', async () => {
    api.on('POST /pop', () => fail(401, 'Unauthorized'));
    const error = await rejection(client().pop(AGENT_POP));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ code: 'Unauthorized', status: 401, attempts: 2 });
    expect(api.count('POST /pop')).toBe(2);
  });

  it('a refused sign-in is a refusal at once (no retry), a throttled one is retried', async () => {
    const wrong = new RemotePopClient({ baseUrl: api.url, username: USERNAME, password: 'wrong', retry: fastRetry });
    expect(await rejection(wrong.pop(AGENT_POP))).toMatchObject({
      name: 'RefusedError',
      code: 'NotAuthorized',
      status: 401,
    });
    expect(api.count('GET /auth')).toBe(1);

    api.on('GET /auth', (_request, nth) =>
      nth === 2 ? fail(429, 'TooManyRequests', { 'Retry-After': '0' }) : undefined,
    );
    expect(await client().pop(AGENT_POP)).toBe('pop-1');
    expect(api.count('GET /auth')).toBe(3);
  });

  it('a token provider is asked before each request, and told to refresh after a 401', async () => {
    const { IdToken } = api.issueTokens();
    const asked: boolean[] = [];
    let current = 'not-a-valid-token';
    const remotePop = new RemotePopClient({
      baseUrl: api.url,
      retry: fastRetry,
      tokenProvider: ({ forceRefresh }) => {
        asked.push(forceRefresh);
        if (forceRefresh) current = IdToken;
        return current;
      },
    });
    expect(await remotePop.pop(AGENT_POP)).toBe('pop-2');
    await remotePop.getPop('pop-2');
    expect(asked).toEqual([false, true, false]);
    expect(api.count('GET /auth')).toBe(0);
  });
});

describe('retries', () => {
  it('retries 503, 429 and 409 RequestInProgress with the same Idempotency-Key, then returns the PopId', async () => {
    const answers = [
      fail(503, 'ServiceUnavailable', { 'Retry-After': '0' }),
      fail(429, 'TooManyRequests'),
      fail(409, 'RequestInProgress', { 'Retry-After': '0' }),
    ];
    api.on('POST /pop', (_request, nth) => answers[nth - 1]);
    expect(await client().pop(AGENT_POP)).toBe('pop-4');
    const keys = api.of('POST /pop').map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a new pop() gets a new generated Idempotency-Key', async () => {
    const remotePop = client();
    await remotePop.pop(AGENT_POP);
    await remotePop.pop(AGENT_POP);
    const [first, second] = api.of('POST /pop').map((r) => r.headers['idempotency-key']);
    expect(first).not.toBe(second);
  });

  it('honours Retry-After: the next attempt comes no earlier than it says', async () => {
    api.on('POST /pop', (_request, nth) =>
      nth === 1 ? fail(503, 'ServiceUnavailable', { 'Retry-After': '1' }) : undefined,
    );
    await client().pop(AGENT_POP);
    const [first, second] = api.of('POST /pop');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(second!.at - first!.at).toBeLessThan(1500);
  });

  it('stops at the deadline with an UnavailableError carrying the last answer and the Idempotency-Key', async () => {
    api.on('POST /pop', () => fail(503, 'ServiceUnavailable'));
    const started = Date.now();
    const error = await rejection(
      client({ retry: { ...fastRetry, deadlineMs: 400 } }).pop(AGENT_POP, { idempotencyKey: 'key-1' }),
    );
    // Whether the deadline fell in a back-off or cut an attempt short, the error is the API's last answer.
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({
      code: 'ServiceUnavailable',
      status: 503,
      idempotencyKey: 'key-1',
      requestId: expect.stringMatching(/^req-/),
    });
    expect(error.attempts).toBeGreaterThan(2);
    // Every attempt the API answered is counted; an attempt the deadline cut short is counted too, though on a loaded
    // machine it may be aborted before the API reads it (seen: 9 attempts, 8 requests read, the last cut at 400 ms).
    expect([api.count('POST /pop'), api.count('POST /pop') + 1]).toContain(error.attempts);
    expect(elapsed).toBeLessThan(700);
  });

  it('does not wait for a Retry-After that ends past the deadline', async () => {
    api.on('POST /pop', () => fail(429, 'TooManyRequests', { 'Retry-After': '30' }));
    const started = Date.now();
    const error = await rejection(client({ retry: { ...fastRetry, deadlineMs: 2_000 } }).pop(AGENT_POP));
    expect(error).toMatchObject({ name: 'UnavailableError', code: 'TooManyRequests', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('abandons a request that has not answered by the deadline (DeadlineExceeded)', async () => {
    api.on('POST /pop', () => ({ status: 0, hang: true }));
    const started = Date.now();
    const error = await rejection(client().pop(AGENT_POP, { deadlineMs: 300 }));
    expect(error).toMatchObject({ name: 'UnavailableError', code: 'DeadlineExceeded', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(800);
  });

  it.each([
    [400, 'InvalidRequest', ['Campaign: must not be empty']],
    [403, 'Forbidden', undefined],
    [404, 'AgentNotOnDesktop', undefined],
    [409, 'RecordOpenElsewhere', undefined],
    [413, 'PayloadTooLarge', undefined],
    [422, 'IdempotencyKeyReused', undefined],
  ])('surfaces %i %s at once, as a refusal with the code, details and RequestId', async (status, code, details) => {
    api.on('POST /pop', () => fail(status, code, undefined, details));
    const error = await rejection(client().pop(AGENT_POP));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({
      code,
      status,
      details: details ?? [],
      attempts: 1,
      requestId: expect.stringMatching(/^req-/),
    });
    expect(error.message).toContain(`${status} ${code}`);
    expect(api.count('POST /pop')).toBe(1);
  });

  it('retries a network failure and an answer that is not the envelope (502 from a proxy), through the fetch option', async () => {
    let calls = 0;
    const flakyFetch = (input: string, init: RequestInit) => {
      calls += 1;
      if (calls === 2) return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
      return fetch(input, init);
    };
    api.on('POST /pop', (_request, nth) => (nth === 1 ? { status: 502, raw: '<html>Bad Gateway</html>' } : undefined));
    expect(await client({ fetch: flakyFetch }).pop(AGENT_POP)).toBe('pop-2');
    expect(calls).toBe(4); // sign-in, 502, network failure, success
  });

  it('cancels with an AbortSignal, during a back-off too, rejecting with the signal reason', async () => {
    api.on('POST /pop', () => fail(503, 'ServiceUnavailable', { 'Retry-After': '5' }));
    const controller = new AbortController();
    const started = Date.now();
    const pending = rejection(
      client({ retry: { ...fastRetry, deadlineMs: 20_000 } }).pop(AGENT_POP, { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 150);
    const error = await pending;
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(api.count('POST /pop')).toBe(1);

    const already = await rejection(client().pop(AGENT_POP, { signal: AbortSignal.abort() }));
    expect(already).toMatchObject({ name: 'AbortError' });
  });
});

describe('getPop and waitFor', () => {
  it('reads a status (the PopId URL-encoded) and refuses an unknown one with PopNotFound', async () => {
    const remotePop = client();
    expect(await remotePop.getPop('a/b c')).toMatchObject({ PopId: 'a/b c', Status: 'Sent' });
    expect(api.of('GET /pops/*')[0]!.path).toBe('/pops/a%2Fb%20c');
    api.on('GET /pops/*', () => fail(404, 'PopNotFound'));
    expect(await rejection(remotePop.getPop('nope'))).toMatchObject({
      name: 'RefusedError',
      code: 'PopNotFound',
      status: 404,
    });
  });

  it('waits until Opened, reporting each new status; a pop that ends otherwise is a PopNotOpenedError', async () => {
    const steps = ['Sent', 'Delivered', 'Delivered', 'Opened'];
    api.on('GET /pops/*', (_request, nth) => ok(popStatus('p1', steps[Math.min(nth, steps.length) - 1]!)));
    const seen: string[] = [];
    const opened = await client().waitFor('p1', {
      until: 'Opened',
      pollIntervalMs: 10,
      onStatus: (p) => seen.push(p.Status),
    });
    expect(opened.Status).toBe('Opened');
    expect(seen).toEqual(['Sent', 'Delivered', 'Opened']);

    api.on('GET /pops/*', () => ok(popStatus('p2', 'Failed', 'NoLicence')));
    const error = await rejection(client().waitFor('p2', { until: 'Opened', pollIntervalMs: 10 }));
    expect(error).toMatchObject({ name: 'PopNotOpenedError', code: 'NoLicence', pop: { Status: 'Failed' } });
    expect(await client().waitFor('p2', { until: 'final' })).toMatchObject({ Status: 'Failed', Reason: 'NoLicence' });
  });

  it('gives up after timeoutMs with the last status read', async () => {
    const started = Date.now();
    const error = await rejection(client().waitFor('p3', { until: 'final', timeoutMs: 300, pollIntervalMs: 20 }));
    expect(error).toMatchObject({ name: 'WaitTimeoutError', code: 'WaitTimeout', lastStatus: { Status: 'Sent' } });
    expect(Date.now() - started).toBeLessThan(800);
  });
});

describe('campaigns and the dry run', () => {
  const SALES = {
    Name: 'Sales',
    Agents: 1,
    Instances: [
      {
        Instance: 'desk',
        Active: true,
        Type: 'external',
        AllowRecordCreation: false,
        Workflow: 'Sales Call',
        ExternalLinks: [],
        ScriptDataSchema: { type: 'object' },
        Agents: 1,
      },
    ],
  };

  test('validate posts the pop body to /pop/validate without an Idempotency-Key and resolves with what a pop would do', async () => {
    const validation = {
      Valid: true,
      Checks: ['AgentOnDesktop', 'Licence', 'CampaignFound', 'CampaignActive', 'Reference', 'ScriptData'],
      Instances: 1,
      UncheckedInstances: 0,
    };
    api.on('POST /pop/validate', () => ok(validation));
    expect(await client().validate(AGENT_POP)).toEqual(validation);
    const [sent] = api.of('POST /pop/validate');
    expect(JSON.parse(sent!.body)).toEqual(AGENT_POP);
    expect(sent!.headers['idempotency-key']).toBeUndefined();
    expect(api.count('POST /pop')).toBe(0);
  });

  test('validate rejects with the refusal a pop would get, Details included, at once', async () => {
    api.on('POST /pop/validate', () =>
      fail(422, 'ScriptDataRejected', undefined, ['ScriptData.Amount: must be a number']),
    );
    const error = await rejection(client().validate(AGENT_POP));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({
      code: 'ScriptDataRejected',
      status: 422,
      details: ['ScriptData.Amount: must be a number'],
      attempts: 1,
    });
  });

  test('campaigns() resolves with the list; campaign(name) reads one, its name path-encoded', async () => {
    api.on('GET /campaigns', () => ok({ Campaigns: [SALES] }));
    api.on('GET /campaigns/*', () => ok(SALES));
    expect(await client().campaigns()).toEqual([SALES]);
    expect(await client().campaign('Sales/EU 1')).toEqual(SALES);
    expect(api.of('GET /campaigns/*').map((r) => r.path)).toEqual(['/campaigns/Sales%2FEU%201']);
  });

  test('campaign(name) rejects with CampaignNotFound', async () => {
    api.on('GET /campaigns/*', () => fail(404, 'CampaignNotFound'));
    expect(await rejection(client().campaign('Nope'))).toMatchObject({ code: 'CampaignNotFound', status: 404 });
  });
});
