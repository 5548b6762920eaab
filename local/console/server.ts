/**
 * The local stack's console: a development tool served by `npm start` on 127.0.0.1 only, never deployed. Every
 * request needs the demo api caller's credentials (HTTP Basic, the ones `npm start` prints).
 *
 *   GET  /                 the page (index.html, console.css, console.js bundled from console.client.ts)
 *   GET  /api/caller       the caller and REST API URL, for the page's curl command
 *   GET  /api/snapshot     what the table holds (snapshot.ts); `?tenant=` keeps one tenant
 *   GET  /api/events       the same as Server-Sent Events: a `snapshot` event whenever it changes
 *   POST /api/pop          sends the JSON body as `POST /pop` as the demo api caller; answers {status, body}
 */
import { timingSafeEqual } from 'crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  isSameOrigin,
  openEventStream,
  pageAssets,
  requestUrl,
  send,
  servePage,
} from '../../instance/desktopPage/assets';
import { dynamoDbClient } from '../provision';
import { popSender, type CallerCredentials, type PopSender } from './caller';
import { readSnapshot, type ConsoleSnapshot } from './snapshot';

export interface ConsoleOptions {
  /** 0: any free port. */
  readonly port: number;
  readonly restApiUrl: string;
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  readonly region: string;
  /** Who may open the console, and as whom it pops. */
  readonly caller: CallerCredentials;
  /** How often the table is read while a page is open. @default 500 */
  readonly pollMs?: number;
}

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

interface Context {
  readonly options: ConsoleOptions;
  readonly read: (tenant?: string) => Promise<ConsoleSnapshot>;
  readonly sender: PopSender;
  readonly pollMs: number;
}

function authorized(request: IncomingMessage, caller: CallerCredentials): boolean {
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${caller.username}:${caller.password}`, 'utf8').toString('base64')}`,
  );
  const given = Buffer.from(request.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json', `${JSON.stringify(body)}\n`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error(`the pop form is over ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function sendPop(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    json(response, 400, { error: 'InvalidForm', message: (error as Error).message });
    return;
  }
  json(response, 200, await context.sender.send(body));
}

/** One Scan every pollMs while the page is open; a `snapshot` event only when what it shows has changed. */
function streamSnapshots(context: Context, response: ServerResponse, tenant?: string): void {
  const stream = openEventStream(response);
  let last = '';
  let open = true;
  const tick = async (): Promise<void> => {
    try {
      const snapshot = await context.read(tenant);
      const text = JSON.stringify(snapshot);
      if (open && text !== last) stream.send('snapshot', snapshot);
      last = text;
    } catch (error) {
      if (open) stream.send('problem', { message: (error as Error).message });
    }
    if (open) setTimeout(() => void tick(), context.pollMs).unref();
  };
  void tick();
  void stream.closed.then(() => (open = false));
}

async function handle(
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
  port: number,
): Promise<void> {
  if (!isSameOrigin(request, port))
    return json(response, 403, { error: 'Forbidden', message: 'the console answers only its own origin' });
  if (!authorized(request, context.options.caller)) {
    response.writeHead(401, {
      'WWW-Authenticate': 'Basic realm="Remote Pop local console", charset="UTF-8"',
      'Content-Type': 'text/plain',
    });
    response.end('The local console needs the demo api caller credentials that npm start printed.\n');
    return;
  }
  const url = requestUrl(request);
  const tenant = url.searchParams.get('tenant') || undefined;
  const route = `${request.method} ${url.pathname}`;
  if (route === 'POST /api/pop') return sendPop(context, request, response);
  if (request.method !== 'GET') return json(response, 405, { error: 'MethodNotAllowed' });
  if (url.pathname === '/api/caller') {
    const { caller, restApiUrl } = context.options;
    return json(response, 200, { username: caller.username, password: caller.password, restApiUrl });
  }
  if (url.pathname === '/api/snapshot') return json(response, 200, await context.read(tenant));
  if (url.pathname === '/api/events') return streamSnapshots(context, response, tenant);
  if (!servePage(pageAssets(__dirname, 'console'), 'console', url.pathname, response))
    json(response, 404, { error: 'NotFound' });
}

export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const client = dynamoDbClient(options.dynamoDbEndpoint, options.region);
  const db = DynamoDBDocumentClient.from(client);
  const context: Context = {
    options,
    read: (tenant) => readSnapshot(db, options.tableName, tenant),
    sender: popSender(options.restApiUrl, options.caller),
    pollMs: options.pollMs ?? 500,
  };
  const server = createServer((request, response) => {
    handle(context, request, response, (server.address() as AddressInfo).port).catch((error: Error) => {
      if (!response.headersSent) json(response, 500, { error: 'InternalError', message: error.message });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          client.destroy();
          resolve();
        });
      }),
  };
}
