/**
 * No 5xx from names and paths (issue 25, "must hold"): generated header names, query parameter names, percent-encodings
 * and path segments against the local REST gateway, the WebSocket handshake, the instance's control surface and the
 * local console. Bodies are fuzzed by restHandlers.test.ts and wsHandlers.test.ts; here the handlers are stand-ins
 * that answer 200 to whatever event reaches them, so a 5xx can only come from the part under test building it.
 */
import fc from 'fast-check';
import { request as httpRequest, type OutgoingHttpHeaders } from 'http';
import type { AddressInfo } from 'net';
import WebSocket from 'ws';
import { WEBSOCKET_IDENTITY_SOURCE } from '../../../lambdas/apiRoutes';
import { startControlServer, type ControlServer } from '../../../instance/control';
import { startConsole, type ConsoleServer } from '../../../local/console/server';
import { UsagePlans } from '../../../local/gateway/usagePlans';
import type { LambdaRuntime } from '../../../local/gateway/lambdaRuntime';
import { silentLog } from '../../../local/gateway/log';
import { createRestServer } from '../../../local/gateway/restServer';
import { createWebSocketApi, type LocalWebSocketApi } from '../../../local/gateway/webSocketServer';
import { startTestTable, type TestTable } from '../support/dynamoTable';

jest.setTimeout(120_000);

const INHERITED = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
];
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');

/** A header name HTTP allows (a token), often one Object.prototype has, in any case. */
const headerName = fc.oneof(
  fc.constantFrom(...INHERITED),
  fc.constantFrom(...INHERITED).map((name) => name.toUpperCase()),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 }),
);
/** Percent-encodings, valid and not: truncated, overlong, lone surrogates, bare `%`. */
const percentText = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%00', '%2F', '%252F', '%%', '%e2%82'),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);
const queryName = fc.oneof(
  fc.constantFrom(...INHERITED),
  percentText,
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const pathSegment = fc.oneof(percentText, fc.constantFrom(...INHERITED, '..', '.', '', ';', '@connections'));

const query = fc
  .array(fc.tuple(queryName, fc.oneof(percentText, fc.constant(''))), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`));
const headers = fc
  .array(fc.tuple(headerName, fc.string({ unit: 'grapheme-ascii', maxLength: 20 })), { maxLength: 4 })
  .map((pairs) =>
    pairs.filter(([name]) => !/^(host|content-length|transfer-encoding|connection|upgrade|expect)$/i.test(name)),
  );

/** One raw HTTP request (the path as given, not normalised), its status. */
function send(port: number, method: string, path: string, extra: [string, string][], host = `127.0.0.1:${port}`) {
  return new Promise<number>((resolve, reject) => {
    const headerList: OutgoingHttpHeaders = {};
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: headerList, setHost: false });
    req.setHeader('Host', host);
    for (const [name, value] of extra) {
      try {
        req.appendHeader(name, value);
      } catch {
        // A value Node refuses to send is not a request the server can receive.
      }
    }
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const answering200: LambdaRuntime = {
  invoke: async (name) =>
    name === 'wsAuthorizer' || name === 'restAuthorizer'
      ? {
          principalId: 'p',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
          },
          context: {},
        }
      : { statusCode: 200, body: '{}' },
  close: () => undefined,
};

describe('names, encodings and path segments never answer 5xx', () => {
  let table: TestTable;
  let rest: ReturnType<typeof createRestServer>;
  let ws: LocalWebSocketApi;
  let control: ControlServer;
  let console: ConsoleServer;
  const ports = { rest: 0, ws: 0, control: 0, console: 0 };

  beforeAll(async () => {
    table = await startTestTable('remote-pop-fuzz-names');
    rest = createRestServer({
      stage: 'v1',
      apiId: 'fuzz',
      runtime: answering200,
      region: 'us-east-1',
      accountId: '000000000000',
      usagePlans: new UsagePlans('fuzz', 'v1'),
      apiKeyRequired: false,
      log: silentLog,
      bodyLimitBytes: 1024,
    });
    ws = createWebSocketApi({
      stage: 'v1',
      apiId: 'fuzz',
      region: 'us-east-1',
      accountId: '000000000000',
      runtime: answering200,
      log: silentLog,
      testHooks: true,
    });
    for (const [server, key] of [
      [rest, 'rest'],
      [ws.server, 'ws'],
    ] as const) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      ports[key] = (server.address() as AddressInfo).port;
    }
    const noop = () => undefined;
    control = await startControlServer(
      {
        status: () => ({}),
        agent: () => undefined,
        login: noop,
        logout: noop,
        closeRecord: noop,
        setPluginEnabled: noop,
      } as never,
      0,
    );
    ports.control = control.port;
    const endpoint = await table.raw.config.endpoint!();
    console = await startConsole({
      port: 0,
      restApiUrl: `http://127.0.0.1:${ports.rest}/v1`,
      dynamoDbEndpoint: `http://${endpoint.hostname}:${endpoint.port}`,
      tableName: table.tableName,
      region: 'us-east-1',
      caller: { username: 'demo', password: 'pw' },
    });
    ports.console = Number(new URL(console.url).port);
  });

  afterAll(async () => {
    await Promise.all([new Promise((resolve) => rest.close(resolve)), ws.close(), control.close(), console.close()]);
    rest.closeAllConnections();
    await table.stop();
  });

  it('the REST gateway: any header or query name, any path segment', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'GET /auth',
          'POST /pop',
          'GET /pops/{}',
          'GET /campaigns/{}',
          'GET /nothing/{}',
          'GET //{}',
          'POST //{}/v1/pop',
        ),
        pathSegment,
        query,
        headers,
        async (route, segment, search, extra) => {
          const [method, template] = route.split(' ') as [string, string];
          const path = template.startsWith('//')
            ? `${template.replace('{}', segment)}${search}`
            : `/v1${template.replace('{}', segment)}${search}`;
          const status = await send(ports.rest, method, path, [...extra, ['Authorization', 'Bearer x']]);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the WebSocket handshake: any header or query name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1', '//%', '//x/v1', '/v1/%'),
        query,
        headers,
        async (path, search, extra) => {
          const sent = Object.fromEntries([...extra, [WEBSOCKET_IDENTITY_SOURCE, 'Bearer x']]);
          const status = await new Promise<number>((resolve) => {
            const client = new WebSocket(`ws://127.0.0.1:${ports.ws}${path}${search}`, { headers: sent });
            client.on('open', () => {
              client.terminate();
              resolve(101);
            });
            client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
            client.on('error', () => resolve(0));
          });
          expect(status === 101 || (status >= 400 && status < 500)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the control surface and the console: any path segment, query or header name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('control', 'console'),
        fc.constantFrom('GET', 'POST'),
        fc.array(pathSegment, { minLength: 1, maxLength: 3 }),
        query,
        headers,
        async (target, method, segments, search, extra) => {
          const port = ports[target as 'control' | 'console'];
          const auth: [string, string][] =
            target === 'console' ? [['Authorization', `Basic ${Buffer.from('demo:pw').toString('base64')}`]] : [];
          const path = `/${segments.join('/')}${search}`;
          expect(await send(port, method, path, [...extra, ...auth])).toBeLessThan(500);
          expect(await send(port, method, `/agents/${segments.join('/')}/login${search}`, extra)).toBeLessThan(500);
        },
      ),
      { numRuns: 120 },
    );
  });
});
