/**
 * The local REST gateway's header limit is API Gateway's: 10,240 bytes of request line plus header values; over it,
 * and over Node's own parser limit, the answer is 400 in the envelope (local/gateway/headerLimit.ts).
 */
import * as fc from 'fast-check';
import { createServer, request, type Server } from 'http';
import { connect } from 'net';
import type { AddressInfo } from 'net';
import { GATEWAY_ANSWERS } from '../../../lambdas/edge/gatewayResponses';
import { UsagePlans } from '../../../local/gateway/usagePlans';
import {
  answerParserErrors,
  HEADER_LIMIT_BYTES,
  HEADERS_TOO_LARGE,
  PARSER_LIMIT_BYTES,
  REQUEST_TIMED_OUT,
} from '../../../local/gateway/headerLimit';
import type { LambdaRuntime } from '../../../local/gateway/lambdaRuntime';
import { silentLog } from '../../../local/gateway/log';
import { createRestServer } from '../../../local/gateway/restServer';

const PATH = '/v1/no-such-route';
const REQUEST_LINE = `GET ${PATH} HTTP/1.1`;
const HOST = '127.0.0.1';

let server: Server;
let port: number;

beforeAll(async () => {
  // Only unknown paths are requested: no route, so neither the authorizer nor a handler is ever reached.
  server = createRestServer({
    stage: 'v1',
    apiId: 'test',
    runtime: {} as LambdaRuntime,
    region: 'us-east-1',
    accountId: '000000000000',
    usagePlans: new UsagePlans('test', 'v1'),
    apiKeyRequired: false,
    log: silentLog,
    bodyLimitBytes: 1024,
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Answer {
  readonly status: number;
  readonly body: { Success?: boolean; RequestId?: string; Error?: { Code?: string } };
  readonly errorType: string | undefined;
}

function get(headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: PATH, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text),
          errorType: res.headers['x-amzn-errortype'] as string,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers whose values (with the request line and the `Host` and `Connection` values Node adds) total `total` bytes. */
function headersTotalling(total: number, cuts: number[]): Record<string, string> {
  const fixed = { Host: `${HOST}:${port}`, Connection: 'close' };
  let left = total - REQUEST_LINE.length - fixed.Host.length - fixed.Connection.length;
  const headers: Record<string, string> = { ...fixed };
  cuts.forEach((share, i) => {
    const size = Math.min(left, share);
    headers[`x-filler-${i}`] = 'v'.repeat(size);
    left -= size;
  });
  headers['x-filler-last'] = 'w'.repeat(left);
  return headers;
}

const cutsArbitrary = fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 12 });

describe('REST header limit (API Gateway: 10,240 bytes of request line and header values)', () => {
  it('passes a request of exactly 10,240 bytes on to routing (404 for an unknown path), however it is split', async () => {
    await fc.assert(
      fc.asyncProperty(cutsArbitrary, async (cuts) => {
        const answer = await get(headersTotalling(HEADER_LIMIT_BYTES, cuts));
        expect(answer.status).toBe(404);
        expect(answer.body.Error?.Code).toBe(GATEWAY_ANSWERS.missingAuthenticationToken.code);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses 10,241 bytes and more with 400 in the envelope, however they are split', async () => {
    await fc.assert(
      fc.asyncProperty(cutsArbitrary, fc.integer({ min: 1, max: 20_000 }), async (cuts, over) => {
        const answer = await get(headersTotalling(HEADER_LIMIT_BYTES + over, cuts));
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ Success: false, Result: null, Error: { Code: HEADERS_TOO_LARGE.code } });
        expect(answer.body.RequestId).toMatch(/^[0-9a-f-]{36}$/);
      }),
      { numRuns: 25 },
    );
  });

  it("answers a header over Node's parser limit (100 KB) in the same envelope, not with a bare 431", async () => {
    expect(100 * 1024).toBeGreaterThan(PARSER_LIMIT_BYTES);
    const answer = await get({ 'x-big': 'b'.repeat(100 * 1024), Connection: 'close' });
    expect(answer.status).toBe(400);
    expect(answer.errorType).toBe('BadRequestException');
    expect(answer.body).toMatchObject({ Success: false, Error: { Code: HEADERS_TOO_LARGE.code } });
  });
});

describe('a request Node stops waiting for', () => {
  it('is 408 RequestTimeout in the envelope, not 400 (seen at load 18: valid pops answered 400 BadRequest)', async () => {
    // Short timeouts stand in for a gateway too busy to read the request in time; the test waits on the answer.
    const slow = createServer({ headersTimeout: 100, requestTimeout: 200, connectionsCheckingInterval: 20 }, () => {});
    answerParserErrors(slow, silentLog);
    await new Promise<void>((resolve) => slow.listen(0, HOST, resolve));
    try {
      const socket = connect((slow.address() as AddressInfo).port, HOST);
      socket.write(`POST /v1/pop HTTP/1.1\r\nHost: ${HOST}\r\n`); // the headers never end
      const text = await new Promise<string>((resolve) => {
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
      });
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      expect(body).toMatchObject({ Success: false, Result: null, Error: { Code: REQUEST_TIMED_OUT.code } });
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
