/**
 * How soon the event feed shows a burst (the bound in docs/capacity.md: the last event of a burst of pops at the local stack's
 * saturation is readable from GET /events within 2 s of its status change). Each burst is a closed-loop pop run at the
 * saturation concurrency; beside it a follower reads GET /events?after=<cursor> back to back and notes, by the runner's
 * wall clock, when each of the burst's events (recognised by its Reference, `REF-<label>-<n>`) was first readable.
 * The burst's last status change is the event with the latest OccurredAt (the pop's UpdatedAt, written by the stack
 * process on the same machine's clock); its lag is first readable - OccurredAt. The follower's resolution is one
 * GET /events round trip plus its pause when a read brought nothing.
 */
import type { Agent } from 'http';
import { performance } from 'perf_hooks';
import { httpRequest, type PopRunResult } from './pops';
import { distribution, spreadOf, type Distribution, type Spread } from './stats';

/** What the bench requires (docs/capacity.md): at most this long from the burst's last status change to readable. */
export const FEED_LAG_TARGET_MS = 2000;
/** The follower's pause after a read that brought nothing new (ms): a busy reader, not a spinning one. */
const IDLE_PAUSE_MS = 20;
/** A burst's events not all readable by then count as missing (and fail the bench). */
const FOLLOW_TIMEOUT_MS = 60_000;

export interface FeedLagOptions {
  readonly restApiUrl: string;
  readonly idToken: string;
  readonly agent: Agent;
  readonly bursts: number;
  /** Events each accepted pop of a burst brings: Sent, and Delivered when the instances acknowledge. */
  readonly eventsPerPop: number;
  /** The runner's pop run (bench/run.ts runOnce): a burst of pops at saturation under this label. */
  readonly runBurst: (label: string) => Promise<PopRunResult>;
  readonly log: (line: string) => void;
}

export interface BurstLag {
  readonly label: string;
  readonly pops: number;
  readonly popsPerSecond: number;
  readonly events: number;
  readonly missing: number;
  /** The burst's last status change (the latest OccurredAt): its EventId, and OccurredAt -> first readable, ms. */
  readonly lastEventId: string;
  readonly lastEventLagMs: number;
  /** Every event of the burst, the same measure. */
  readonly eventLagMs: Distribution;
}

export interface FeedLagFigures {
  readonly bursts: BurstLag[];
  readonly lastEventLagMs: Spread;
  readonly targetMs: number;
  readonly met: boolean;
  /** GET /events round trip during the bursts (the follower's resolution, with its idle pause). */
  readonly readMs: Distribution;
  readonly how: string;
}

interface FeedEvent {
  readonly Reference?: string;
  readonly EventId: string;
  readonly OccurredAt: string;
}

interface Follower {
  cursor: string;
  readonly readMs: number[];
}

async function readPage(options: FeedLagOptions, follower: Follower): Promise<FeedEvent[]> {
  const url = `${options.restApiUrl}/events?after=${encodeURIComponent(follower.cursor)}&limit=100`;
  const t0 = performance.now();
  const answer = await httpRequest(options.agent, 'GET', url, { Authorization: `Bearer ${options.idToken}` });
  follower.readMs.push(performance.now() - t0);
  if (answer.status !== 200) throw new Error(`GET /events: ${answer.status} ${answer.text.slice(0, 200)}`);
  const page = (JSON.parse(answer.text) as { Result: { Events: FeedEvent[]; Cursor: string } }).Result;
  follower.cursor = page.Cursor;
  return page.Events;
}

/** Reads to the feed's end (the pops before the first burst), so the bursts are followed from there. */
async function catchUp(options: FeedLagOptions, follower: Follower): Promise<void> {
  while ((await readPage(options, follower)).length > 0);
  follower.readMs.length = 0;
}

async function followBurst(options: FeedLagOptions, follower: Follower, label: string): Promise<BurstLag> {
  const prefix = `REF-${label}-`;
  const seen = new Map<string, { id: string; occurredAt: number; readableAt: number }>();
  let burst: PopRunResult | undefined;
  let failed: unknown;
  const done = options.runBurst(label).then(
    (run) => (burst = run),
    (error: unknown) => (failed = error ?? new Error('the burst failed')),
  );
  const expected = () => (burst ? burst.accepted * options.eventsPerPop : Infinity);
  let giveUpAt = Infinity;
  while (failed === undefined && seen.size < expected() && performance.now() < giveUpAt) {
    const events = await readPage(options, follower);
    const readableAt = Date.now();
    for (const event of events)
      if (event.Reference?.startsWith(prefix) && !seen.has(event.EventId))
        seen.set(event.EventId, { id: event.EventId, occurredAt: Date.parse(event.OccurredAt), readableAt });
    if (burst && giveUpAt === Infinity) giveUpAt = performance.now() + FOLLOW_TIMEOUT_MS;
    if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, IDLE_PAUSE_MS));
  }
  await done;
  if (failed !== undefined) throw failed;
  const lags = [...seen.values()];
  const last = lags.reduce(
    (a, b) => (b.occurredAt > a.occurredAt ? b : a),
    lags[0] ?? { occurredAt: 0, readableAt: 0 },
  );
  return {
    label,
    pops: burst!.accepted,
    popsPerSecond: burst!.acceptedPerSecond,
    events: seen.size,
    missing: Math.max(0, burst!.accepted * options.eventsPerPop - seen.size),
    lastEventId: last.id,
    lastEventLagMs: last.readableAt - last.occurredAt,
    eventLagMs: distribution(lags.map((l) => l.readableAt - l.occurredAt)),
  };
}

/** `options.bursts` bursts, each followed on the feed from where the previous one ended. */
export async function measureFeedLag(options: FeedLagOptions): Promise<FeedLagFigures> {
  const follower: Follower = { cursor: '0', readMs: [] };
  await catchUp(options, follower);
  const bursts: BurstLag[] = [];
  for (let b = 0; b < options.bursts; b++) {
    const lag = await followBurst(options, follower, `feed-b${b + 1}`);
    options.log(
      `feed lag burst ${b + 1}: ${lag.pops} pops at ${lag.popsPerSecond}/s, ${lag.events} events (${lag.missing} missing); ` +
        `last status change readable after ${lag.lastEventLagMs} ms (every event p50 ${lag.eventLagMs.p50}, max ${lag.eventLagMs.max})`,
    );
    bursts.push(lag);
  }
  const lastEventLagMs = spreadOf(bursts.map((b) => b.lastEventLagMs));
  return {
    bursts,
    lastEventLagMs,
    targetMs: FEED_LAG_TARGET_MS,
    met: bursts.every((b) => b.missing === 0 && b.lastEventLagMs <= FEED_LAG_TARGET_MS),
    readMs: distribution(follower.readMs),
    how:
      'a closed-loop burst at the saturation concurrency; a follower reads GET /events after its cursor back to back ' +
      `(${IDLE_PAUSE_MS} ms pause after an empty read); lag = first readable (runner clock) - OccurredAt (stack clock, same machine)`,
  };
}
