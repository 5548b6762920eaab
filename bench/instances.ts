/**
 * Scripting instances for the benchmark, hosted in the runner process (one event loop, the same clock as the
 * requests, so `deliver - send` needs no cross-process clock). Each behaves like the reference instance on the
 * wire: connect with its IdToken, send its Desktop list, answer every pop with `Ack Delivered`.
 */
import { performance } from 'perf_hooks';
import WebSocket from 'ws';

export interface Receipt {
  count: number;
  /** performance.now() of the first arrival. */
  at: number;
  popId: string;
}

/** Every pop that arrived, by the nonce the bench put in its ScriptData. */
export class Receipts {
  readonly byNonce = new Map<string, Receipt>();
  /** Pops that reached an instance of another tenant (must stay 0). */
  misrouted = 0;
  /** Server `Error` messages (a refused Ack, a bad message); must stay 0. */
  serverErrors: string[] = [];

  record(nonce: string, popId: string, at: number): void {
    const receipt = this.byNonce.get(nonce);
    if (receipt) receipt.count += 1;
    else this.byNonce.set(nonce, { count: 1, at, popId });
  }
}

export interface InstanceOptions {
  readonly webSocketUrl: string;
  readonly idToken: string;
  readonly instanceName: string;
  readonly agents: readonly string[];
  readonly receipts: Receipts;
  /** Bench tenant's instances record pops; other tenants' count them as misrouted. */
  readonly role: 'bench' | 'other';
  /** Answer each pop with Ack Delivered, as the reference instance does. */
  readonly ack: boolean;
}

export class BenchInstance {
  private pongWaiters: (() => void)[] = [];

  private constructor(
    readonly socket: WebSocket,
    private readonly options: InstanceOptions,
  ) {
    socket.on('message', (data) => this.onMessage(data.toString()));
  }

  static async connect(options: InstanceOptions, timeoutMs = 30_000): Promise<BenchInstance> {
    const url = `${options.webSocketUrl}?instance=${encodeURIComponent(options.instanceName)}`;
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${options.idToken}` } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`WebSocket handshake of ${options.instanceName} timed out`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket handshake of ${options.instanceName} refused: HTTP ${res.statusCode}`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const instance = new BenchInstance(socket, options);
    // The local gateway runs one connection's messages in order: the Pong comes after the Desktop list is stored.
    socket.send(JSON.stringify({ Action: 'Desktop', Agents: options.agents }));
    await instance.ping(timeoutMs);
    return instance;
  }

  ping(timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Pong for ${this.options.instanceName}`)), timeoutMs);
      this.pongWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.send('{"Action":"Ping"}');
    });
  }

  close(): void {
    this.socket.terminate();
  }

  private onMessage(text: string): void {
    const at = performance.now();
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      this.options.receipts.serverErrors.push(`not JSON: ${text.slice(0, 100)}`);
      return;
    }
    switch (message?.Type) {
      case 'Pop': {
        if (this.options.role === 'other') {
          this.options.receipts.misrouted += 1;
          return;
        }
        this.options.receipts.record(String(message.ScriptData?.BenchNonce), message.PopId, at);
        if (this.options.ack) {
          this.socket.send(JSON.stringify({ Action: 'Ack', PopId: message.PopId, Status: 'Delivered' }));
        }
        return;
      }
      case 'Pong':
        this.pongWaiters.shift()?.();
        return;
      default:
        this.options.receipts.serverErrors.push(text.slice(0, 200));
    }
  }
}

/** Open connections with bounded concurrency. */
export async function connectAll(all: readonly InstanceOptions[], concurrency: number): Promise<BenchInstance[]> {
  const out: BenchInstance[] = new Array(all.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, all.length) }, async () => {
      while (next < all.length) {
        const index = next++;
        out[index] = await BenchInstance.connect(all[index]!);
      }
    }),
  );
  return out;
}
