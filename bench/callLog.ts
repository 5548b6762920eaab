/**
 * The calls of each invocation as bench/costProjection.ts's proxies see them: which function runs (told by the
 * measuring process before each invocation of the counting round), the calls in the order they began, grouped in
 * waves (a call that begins while another is in flight joins that one's wave: it waits with it, not after it; a call
 * begun after one of two parallel calls ended is counted with them too, an approximation that errs short), DynamoDB's
 * request units, and the bytes the invocation logged.
 */
import { statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { DynamoDbCall } from './costModel';

export interface Invocation {
  readonly fn: string;
  readonly waves: string[][];
  readonly dynamoDb: DynamoDbCall[];
  /** Bytes the invocation wrote to its log (the measuring process writes to a file, synchronously). */
  logBytes: number;
}

export class CallLog {
  inFlight = 0;
  counting = false;
  current: Invocation | undefined;
  readonly invocations: Invocation[] = [];
  private logSize = 0;

  constructor(private readonly logFile: string) {}

  /** The invocation before ends (its log lines are written), the next begins. */
  start(fn: string | undefined): void {
    const size = statSync(this.logFile).size;
    if (this.current) this.current.logBytes = size - this.logSize;
    this.logSize = size;
    this.current = fn === undefined ? undefined : { fn, waves: [], dynamoDb: [], logBytes: 0 };
    if (this.current) this.invocations.push(this.current);
  }

  /** A call begins: a new wave if nothing else of this invocation is in flight. */
  begin(operation: string): Invocation | undefined {
    const inv = this.counting ? this.current : undefined;
    if (inv) {
      if (this.inFlight === 0 || inv.waves.length === 0) inv.waves.push([]);
      inv.waves[inv.waves.length - 1]!.push(operation);
    }
    this.inFlight++;
    return inv;
  }

  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

/** `DynamoDB_20120810.Query` -> `Query`; a POST to `@connections` -> `PostToConnection`. */
export const operationOf = (req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>): string => {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  if (req.method === 'POST' && (req.url ?? '').includes('/@connections/')) return 'PostToConnection';
  return `${req.method} ${(req.url ?? '').split('?')[0]}`;
};

export const sumCapacity = (consumed: unknown): number =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
    (sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0),
    0,
  );
