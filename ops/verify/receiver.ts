/**
 * The webhook receiver `verify` runs on 127.0.0.1 while it checks a local stack: it keeps each delivery's headers and
 * raw body, and answers 204. A deployed stack cannot reach this machine, so there the step is skipped (roundTrip.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  private readonly waiters = new Set<() => void>();
  private server?: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        this.deliveries.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
        for (const wake of this.waiters) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/verify-webhook`;
  }

  /** Resolves with the first delivery `accept` takes (checked on each arrival), rejects after `timeoutMs`. */
  async waitFor<T>(accept: (delivery: ReceivedDelivery) => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let checked = 0;
    for (;;) {
      for (; checked < this.deliveries.length; checked++) {
        const found = await accept(this.deliveries[checked]!);
        if (found !== undefined) return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching webhook delivery within ${timeoutMs} ms (${checked} received)`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = undefined;
  }
}
