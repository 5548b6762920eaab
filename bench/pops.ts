/**
 * Closed-loop pop load: `concurrency` callers, each sending its next POST /pop as soon as the previous one answers,
 * until `total` pops are sent. Each pop carries a unique nonce (ScriptData.BenchNonce) and a unique Reference, so no
 * record claim refuses it; the instance side matches arrivals by nonce and PopId.
 */
import { request, type Agent } from 'http';
import { performance } from 'perf_hooks';
import { distribution, type Distribution } from './stats';
import type { Receipts } from './instances';

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

export function httpRequest(
  agent: Agent,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: body ? { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface PopRunOptions {
  readonly label: string;
  readonly restApiUrl: string;
  readonly idToken: string;
  readonly agent: Agent;
  readonly concurrency: number;
  readonly total: number;
  readonly agents: readonly string[];
  readonly receipts: Receipts;
  /** How long to wait for the last deliveries after the last answer. @default 5000 */
  readonly drainMs?: number;
}

export interface PopRunResult {
  readonly label: string;
  readonly concurrency: number;
  readonly sent: number;
  readonly accepted: number;
  readonly statusCounts: Record<string, number>;
  /** POST sent -> HTTP answer, ms. */
  readonly accept: Distribution;
  /** POST sent -> the instance has the pushed message, ms. */
  readonly delivery: Distribution;
  readonly lost: number;
  readonly doubled: number;
  /** Arrived with another PopId than the HTTP answer gave. */
  readonly mismatched: number;
  readonly wallSeconds: number;
  readonly acceptedPerSecond: number;
  readonly deliveredPerSecond: number;
  /** Raw samples (ms), for pooled percentiles; not written to results.json. */
  readonly samples: { readonly accept: number[]; readonly delivery: number[] };
}

interface Sent {
  nonce: string;
  t0: number;
  t1: number;
  status: number;
  popId?: string;
}

export async function runPops(options: PopRunOptions): Promise<PopRunResult> {
  const { receipts } = options;
  const url = `${options.restApiUrl}/pop`;
  const headers = { Authorization: `Bearer ${options.idToken}`, 'Content-Type': 'application/json' };
  const sent: Sent[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.total) {
        const index = next++;
        const nonce = `${options.label}-${index}`;
        const body = JSON.stringify({
          Username: options.agents[index % options.agents.length],
          Campaign: 'Sales',
          Reference: `REF-${nonce}`,
          ScriptData: { BenchNonce: nonce, 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
        });
        const record: Sent = { nonce, t0: performance.now(), t1: 0, status: 0 };
        sent.push(record);
        try {
          const answer = await httpRequest(options.agent, 'POST', url, headers, body);
          record.t1 = performance.now();
          record.status = answer.status;
          if (answer.status === 202)
            record.popId = (JSON.parse(answer.text) as { Result: { PopId: string } }).Result.PopId;
        } catch {
          record.t1 = performance.now();
          record.status = -1;
        }
      }
    }),
  );
  const answered = performance.now();

  // Wait for the last arrivals, then a little longer so that a doubled delivery has time to show.
  const drainDeadline = answered + (options.drainMs ?? 5000);
  const accepted = sent.filter((s) => s.status === 202);
  while (performance.now() < drainDeadline && accepted.some((s) => !receipts.byNonce.has(s.nonce))) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 250));

  const statusCounts: Record<string, number> = {};
  const acceptMs: number[] = [];
  const deliverMs: number[] = [];
  let lost = 0;
  let doubled = 0;
  let mismatched = 0;
  let lastDelivery = started;
  let lastAccept = started;
  for (const s of sent) {
    statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
    const receipt = receipts.byNonce.get(s.nonce);
    if (s.status !== 202) {
      // Not accepted: it must not have been pushed either (a push without a 202 would be a doubled pop on retry).
      if (receipt) doubled += receipt.count;
      continue;
    }
    acceptMs.push(s.t1 - s.t0);
    lastAccept = Math.max(lastAccept, s.t1);
    if (!receipt) {
      lost++;
      continue;
    }
    if (receipt.count > 1) doubled += receipt.count - 1;
    if (receipt.popId !== s.popId) mismatched++;
    deliverMs.push(receipt.at - s.t0);
    lastDelivery = Math.max(lastDelivery, receipt.at);
  }
  return {
    label: options.label,
    concurrency: options.concurrency,
    sent: sent.length,
    accepted: accepted.length,
    statusCounts,
    accept: distribution(acceptMs),
    delivery: distribution(deliverMs),
    lost,
    doubled,
    mismatched,
    wallSeconds: Number(((answered - started) / 1000).toFixed(3)),
    acceptedPerSecond: Number((accepted.length / ((lastAccept - started) / 1000)).toFixed(1)),
    deliveredPerSecond: Number((deliverMs.length / ((lastDelivery - started) / 1000)).toFixed(1)),
    samples: { accept: acceptMs, delivery: deliverMs },
  };
}
