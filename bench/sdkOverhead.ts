/**
 * The SDK's CPU per pop over a bare `fetch` (target: under 0.2 ms). Both make the same POST /pop to a local HTTP
 * server in this process that answers 202 in the API's envelope at once: the bare loop builds the headers, sends the
 * JSON body and parses the answer; the SDK loop calls `RemotePopClient.pop` (token cached after its one sign-in,
 * Idempotency-Key generated, deadline timer, retry bookkeeping, typed result). The server's work is the same in both,
 * so the difference of process CPU (user+system) per pop is the SDK's. Rounds alternate bare/SDK; the median of the
 * per-round differences is the figure. Runs alone: `npx tsx bench/sdkOverhead.ts` prints the figures as JSON.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemotePopClient } from '../sdk/src';

export interface SdkOverheadFigures {
  readonly popsPerRound: number;
  readonly rounds: number;
  readonly bareCpuMsPerPop: number;
  readonly sdkCpuMsPerPop: number;
  /** Median over rounds of (SDK - bare) CPU ms per pop. */
  readonly overheadCpuMsPerPop: number;
  readonly targetMs: number;
  readonly met: boolean;
  readonly how: string;
}

const TARGET_MS = 0.2;
const TOKEN = {
  Authenticated: true,
  IdToken: 'bench.id.token',
  AccessToken: 'a',
  RefreshToken: 'r',
  ExpiresIn: 3600,
  User: { Username: 'bench' },
};
const POP = {
  Username: 'agent1',
  Campaign: 'Sales',
  Reference: 'BENCH-1',
  ScriptData: { 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
};

function envelope(result: unknown): string {
  return JSON.stringify({ Success: true, Result: result, Version: '1.0.0', RequestId: 'bench' });
}

async function startServer(): Promise<{ url: string; close(): Promise<void> }> {
  const accepted = envelope({ PopId: 'pop-bench', Status: 'Sent' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/v1/auth' ? envelope(TOKEN) : accepted;
      res.writeHead(req.url === '/v1/auth' ? 200 : 202, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function cpuMsPerPop(pops: number, popOnce: () => Promise<string>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < pops; i++) await popOnce();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / pops;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round3 = (value: number) => Number(value.toFixed(4));

export async function measureSdkOverhead(popsPerRound = 2000, rounds = 7): Promise<SdkOverheadFigures> {
  const server = await startServer();
  try {
    const barePop = async () => {
      const response = await fetch(`${server.url}/pop`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN.IdToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(POP),
      });
      return ((await response.json()) as { Result: { PopId: string } }).Result.PopId;
    };
    const client = new RemotePopClient({ baseUrl: server.url, username: 'bench', password: 'bench-password' });
    const sdkPop = () => client.pop(POP);
    await cpuMsPerPop(popsPerRound / 2, barePop); // warm both paths (JIT, connection pool)
    await cpuMsPerPop(popsPerRound / 2, sdkPop);
    const bare: number[] = [];
    const sdk: number[] = [];
    for (let round = 0; round < rounds; round++) {
      bare.push(await cpuMsPerPop(popsPerRound, barePop));
      sdk.push(await cpuMsPerPop(popsPerRound, sdkPop));
    }
    const overhead = median(sdk.map((value, i) => value - bare[i]!));
    return {
      popsPerRound,
      rounds,
      bareCpuMsPerPop: round3(median(bare)),
      sdkCpuMsPerPop: round3(median(sdk)),
      overheadCpuMsPerPop: round3(overhead),
      targetMs: TARGET_MS,
      met: overhead < TARGET_MS,
      how: 'process.cpuUsage() around sequential pops to an in-process HTTP server; median over alternating rounds of (SDK - bare fetch)',
    };
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  measureSdkOverhead().then(
    (figures) => {
      console.log(JSON.stringify(figures, null, 2));
      process.exitCode = figures.met ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
