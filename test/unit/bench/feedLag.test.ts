/**
 * bench/feedLag.ts follows GET /events during a burst: it starts from the feed's end, counts only the burst's own
 * events, takes the lag of the status change that happened last (not the last one read), and names what never came.
 * A small HTTP server stands in for the feed; the "burst" appends events to it.
 */
import { createServer, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { measureFeedLag } from '../../../bench/feedLag';
import type { PopRunResult } from '../../../bench/pops';

interface Event {
  EventId: string;
  Reference: string;
  OccurredAt: string;
}

let server: Server;
let url: string;
const feed: Event[] = [];
const agent = new Agent({ keepAlive: true });

beforeAll(async () => {
  server = createServer((req, res) => {
    const after = Number(new URL(req.url!, 'http://x').searchParams.get('after'));
    const events = feed.slice(after, after + 100).map((e, i) => ({ ...e, Cursor: String(after + i + 1) }));
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ Result: { Events: events, Cursor: String(after + events.length) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const run = (accepted: number) => ({ accepted, acceptedPerSecond: 100 }) as PopRunResult;
const event = (id: string, reference: string, occurredAt: number): Event => ({
  EventId: id,
  Reference: reference,
  OccurredAt: new Date(occurredAt).toISOString(),
});

test('the lag is that of the latest status change of the burst, from the end of the feed on', async () => {
  // GIVEN 250 older events of an earlier run with the same label pattern
  feed.length = 0;
  for (let i = 0; i < 250; i++) feed.push(event(`old-${i}`, `REF-feed-b1-${i}`, Date.now() - 60_000));
  const now = Date.now();
  // WHEN a burst of 2 pops brings 2 events each; the latest change is read before an earlier one
  const figures = await measureFeedLag({
    restApiUrl: url,
    idToken: 't',
    agent,
    bursts: 1,
    eventsPerPop: 2,
    log: () => undefined,
    runBurst: async (label) => {
      feed.push(event('a', `REF-${label}-0`, now - 300), event('b', `REF-${label}-1`, now - 50));
      feed.push(event('other', 'REF-someone-else-0', now));
      await new Promise((resolve) => setTimeout(resolve, 100));
      feed.push(event('c', `REF-${label}-0`, now - 200), event('d', `REF-${label}-1`, now - 100));
      return run(2);
    },
  });
  // THEN only the burst's 4 events count, and the lag is b's (the latest OccurredAt), read before the last page
  const [burst] = figures.bursts;
  expect(burst).toMatchObject({ events: 4, missing: 0, pops: 2, lastEventId: 'b' });
  expect(burst!.lastEventLagMs).toBeGreaterThanOrEqual(50);
  // c and d were readable later than b: the last one read is not the last change.
  expect(burst!.lastEventLagMs).toBeLessThan(burst!.eventLagMs.max);
  expect(figures.met).toBe(true);
});
