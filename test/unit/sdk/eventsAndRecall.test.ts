/**
 * The SDK's event feed and recall (sdk/src/client.ts `events`, `recall`) against the fake API (fakeApi.ts):
 * paging from a cursor, resuming, following, retries of a page, and the recall's refusals.
 */
import { RefusedError, RemotePopClient, UnavailableError, type FeedItem, type PopEvent } from '../../../sdk/src';
import { fail, FakeApi, ok, PASSWORD, popStatus, USERNAME, type RecordedRequest } from './fakeApi';

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

const event = (seq: number, Status: PopEvent['Status'] = 'Sent'): PopEvent => ({
  Cursor: String(seq),
  EventId: `pop-${seq}.${Status}`,
  Type: 'pop.status',
  PopId: `pop-${seq}`,
  Status,
  Username: 'agent1',
  Campaign: 'Sales',
  OccurredAt: new Date(0).toISOString(),
});

/** A feed of `count` events served as the API does: after the cursor, at most `limit`, the page's Cursor its last. */
function serveFeed(count: () => number) {
  return (request: RecordedRequest) => {
    const query = new URL(request.path, 'http://fake').searchParams;
    const after = Number(query.get('after') ?? '0');
    const limit = Number(query.get('limit') ?? '100');
    const events = Array.from({ length: Math.max(0, Math.min(limit, count() - after)) }, (_, i) =>
      event(after + i + 1),
    );
    return ok({ Events: events, Cursor: events.at(-1)?.Cursor ?? String(after) });
  };
}

async function collect(iterable: AsyncIterable<FeedItem>, stopAfter = Infinity): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= stopAfter) break;
  }
  return items;
}

describe('events()', () => {
  test('pages GET /events from the start until an empty page, yielding each event with its cursor', async () => {
    api.on(
      'GET /events*',
      serveFeed(() => 5),
    );
    const items = await collect(client().events({ limit: 2 }));

    expect(items.map((i) => i.cursor)).toEqual(['1', '2', '3', '4', '5']);
    expect(items.every((i) => i.event.Cursor === i.cursor)).toBe(true);
    expect(api.of('GET /events*').map((r) => r.path)).toEqual([
      '/events?limit=2',
      '/events?after=2&limit=2',
      '/events?after=4&limit=2',
      '/events?after=5&limit=2',
    ]);
    expect(api.count('GET /auth')).toBe(1);
  });

  test('resumes after a persisted cursor: nothing before it again, and nothing at all once caught up', async () => {
    api.on(
      'GET /events*',
      serveFeed(() => 4),
    );
    const first = await collect(client().events(), 2);
    const resumed = await collect(client().events({ after: first.at(-1)!.cursor }));

    expect(resumed.map((i) => i.event.PopId)).toEqual(['pop-3', 'pop-4']);
    expect(await collect(client().events({ after: '4' }))).toEqual([]);
  });

  test('follow: after catching up it reads again every pollIntervalMs and yields what arrived; abort ends it', async () => {
    let count = 1;
    api.on(
      'GET /events*',
      serveFeed(() => count),
    );
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const item of client().events({ follow: true, pollIntervalMs: 20, signal: controller.signal })) {
        seen.push(item.cursor);
        if (seen.length === 3) controller.abort(new Error('enough'));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 60));
    count = 3;

    await expect(reading).rejects.toThrow('enough');
    expect(seen).toEqual(['1', '2', '3']);
    expect(api.count('GET /events*')).toBeGreaterThan(2);
  });

  test('a page that failed with 503 is retried with the same cursor; a refusal rejects the iteration', async () => {
    api.on('GET /events*', (request, nth) =>
      nth === 1 ? fail(503, 'ServiceUnavailable', { 'Retry-After': '0' }) : serveFeed(() => 1)(request),
    );
    expect((await collect(client().events())).map((i) => i.cursor)).toEqual(['1']);
    expect(
      api
        .of('GET /events*')
        .map((r) => r.path)
        .slice(0, 2),
    ).toEqual(['/events', '/events']);

    api.on('GET /events*', () =>
      fail(400, 'InvalidRequest', undefined, ['after: must be a Cursor from an earlier answer']),
    );
    const error = await collect(client().events({ after: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      details: ['after: must be a Cursor from an earlier answer'],
    });
  });
});

describe('recall()', () => {
  test('sends DELETE /pops/{PopId} (path-encoded) and resolves with the recalled pop', async () => {
    api.on('DELETE /pops/*', (request) =>
      ok(popStatus(decodeURIComponent(request.path.slice('/pops/'.length)), 'Recalled')),
    );
    expect(await client().recall('pop/1 ä')).toMatchObject({ PopId: 'pop/1 ä', Status: 'Recalled' });
    expect(api.of('DELETE /pops/*')[0]!.path).toBe(`/pops/${encodeURIComponent('pop/1 ä')}`);
  });

  test.each([
    [409, 'AlreadyOpened'],
    [409, 'AlreadyFinal'],
    [404, 'PopNotFound'],
  ])('%i %s is a RefusedError at once, not retried', async (status, code) => {
    api.on('DELETE /pops/*', () => fail(status, code));
    const error = await client()
      .recall('pop-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ code, status, attempts: 1 });
    expect(api.count('DELETE /pops/*')).toBe(1);
  });

  test('an outage is retried (a repeat of a recall answers the same) and surfaces as UnavailableError past the deadline', async () => {
    api.on('DELETE /pops/*', (_r, nth) =>
      nth < 3 ? fail(503, 'ServiceUnavailable', { 'Retry-After': '0' }) : ok(popStatus('pop-1', 'Recalled')),
    );
    expect(await client().recall('pop-1')).toMatchObject({ Status: 'Recalled' });
    expect(api.count('DELETE /pops/*')).toBe(3);

    api.on('DELETE /pops/*', () => fail(503, 'ServiceUnavailable', { 'Retry-After': '0' }));
    await expect(client().recall('pop-1', { deadlineMs: 200 })).rejects.toBeInstanceOf(UnavailableError);
  });
});
