/**
 * A webhook receiver on 127.0.0.1 for the e2e tests: keeps every request it gets; `stop` closes its port (an outage:
 * connections refused), `start` opens the same port again; `answering` sets the status it answers (500: an endpoint
 * that never accepts). Signatures are checked by the tests with the `standardwebhooks` package, as an integrator would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly payload: { EventId: string; Cursor: string; PopId: string; Status: string };
}

export class Receiver {
  readonly deliveries: Delivery[] = [];
  private server?: Server;
  private status = 204;
  /** Until this time (ms since epoch) a request is read and never answered (`hangUntil`). */
  private hangingUntil = 0;
  /** Requests left unanswered while hanging. */
  hung = 0;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (Date.now() < this.hangingUntil) {
          this.hung++;
          return; // no answer: the sender's own timeout ends the attempt
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        this.deliveries.push({ headers, body, payload: JSON.parse(body) });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Read every request and answer none until `time` (an endpoint that hangs), then answer again. */
  hangUntil(time: number): this {
    this.hangingUntil = time;
    return this;
  }

  answering(status: number): this {
    this.status = status;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** The pop events received for one pop, by status, each once (a retry repeats a `webhook-id`). */
  statusesOf(popId: string): string[] {
    const seen = new Map<string, string>();
    for (const d of this.deliveries)
      if (d.payload.PopId === popId) seen.set(d.headers['webhook-id']!, d.payload.Status);
    return [...seen.values()].sort();
  }

  /** One delivery per `webhook-id` (what a receiver that deduplicates keeps), in arrival order. */
  deduplicated(): Delivery[] {
    const seen = new Map<string, Delivery>();
    for (const d of this.deliveries) if (!seen.has(d.headers['webhook-id']!)) seen.set(d.headers['webhook-id']!, d);
    return [...seen.values()];
  }

  /** The deliveries whose signature `secret` does not verify (none, when all is well). */
  unverified(secret: string): Delivery[] {
    const verifier = new Webhook(secret);
    return this.deliveries.filter((d) => {
      try {
        verifier.verify(d.body, d.headers);
        return false;
      } catch {
        return true;
      }
    });
  }
}

/** The receivers a test file started (jest loads this module once per file), for its afterAll to stop. */
const started: Receiver[] = [];

/** A new receiver, listening; stopped by stopReceivers. */
export async function startReceiver(): Promise<Receiver> {
  const receiver = await new Receiver().start();
  started.push(receiver);
  return receiver;
}

export async function stopReceivers(): Promise<void> {
  await Promise.all(started.splice(0).map((receiver) => receiver.stop()));
}
