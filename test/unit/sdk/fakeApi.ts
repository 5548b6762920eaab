/**
 * A fake Remote Pop REST API for the SDK's unit tests: node:http on a free port, answering in the API's envelope
 * (contract/rest.ts). Each route's answer can be scripted per request; every request is recorded with its headers.
 * By default it behaves like the real API: GET /auth checks Basic credentials, POST /pop and GET /pops/{id} check
 * the Bearer token against the tokens it issued.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly at: number;
}

export interface Answer {
  readonly status: number;
  /** The envelope's Result (success) or Error (failure) is built from these. */
  readonly result?: unknown;
  readonly error?: { Code: string; Message?: string; Details?: string[] };
  readonly headers?: Record<string, string>;
  /** Sent as is instead of an envelope. */
  readonly raw?: string;
  /** Never answer (the client's deadline or signal must end the call). */
  readonly hang?: boolean;
}

export type Route = (request: RecordedRequest, nth: number) => Answer | undefined | Promise<Answer | undefined>;

export const USERNAME = 'crm-caller';
export const PASSWORD = 'S3cret:pass-wörd!';

export const ok = (result: unknown, status = 200): Answer => ({ status, result });
export const fail = (status: number, Code: string, headers?: Record<string, string>, Details?: string[]): Answer => ({
  status,
  error: { Code, Message: `${Code} happened.`, ...(Details ? { Details } : {}) },
  ...(headers ? { headers } : {}),
});

export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  /** Tokens the fake accepts; `revoke` takes one out. */
  readonly validTokens = new Set<string>();
  expiresInSeconds = 3600;
  private readonly routes = new Map<string, Route>();
  private issued = 0;
  private server!: Server;
  url = '';

  static async start(): Promise<FakeApi> {
    const api = new FakeApi();
    api.server = createServer((req, res) => void api.handle(req, res));
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/v1`;
    return api;
  }

  /** Script a route (`'POST /pop'`, `'GET /pops/*'`): return undefined to fall back to the default answer. */
  on(route: string, answer: Route): this {
    this.routes.set(route, answer);
    return this;
  }

  count(route: string): number {
    return this.requests.filter((r) => matches(route, r)).length;
  }

  of(route: string): RecordedRequest[] {
    return this.requests.filter((r) => matches(route, r));
  }

  issueTokens(): { IdToken: string; AccessToken: string; RefreshToken: string } {
    const n = ++this.issued;
    const tokens = {
      IdToken: `eyJ.id-token-${n}.sig${n}`,
      AccessToken: `eyJ.access-${n}.sig`,
      RefreshToken: `refresh-token-${n}-secret`,
    };
    this.validTokens.add(tokens.IdToken);
    return tokens;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = (req.url ?? '').replace(/^\/v1/, '');
    const request: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, at: Date.now() };
    this.requests.push(request);
    const key = [...this.routes.keys()].find((route) => matches(route, request));
    const scripted = key ? await this.routes.get(key)!(request, this.of(key).length) : undefined;
    const answer = scripted ?? this.defaultAnswer(request);
    if (answer.hang) return;
    const text = answer.raw ?? JSON.stringify(envelope(answer));
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(text);
  }

  private defaultAnswer(request: RecordedRequest): Answer {
    if (request.method === 'GET' && request.path === '/auth') {
      const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`, 'utf8').toString('base64')}`;
      if (request.headers.authorization !== expected) return fail(401, 'NotAuthorized');
      return ok({
        Authenticated: true,
        ...this.issueTokens(),
        ExpiresIn: this.expiresInSeconds,
        User: { Username: USERNAME },
      });
    }
    if (request.method === 'POST' && request.path === '/auth/refresh') {
      const { IdToken, AccessToken } = this.issueTokens();
      return ok({
        Authenticated: true,
        IdToken,
        AccessToken,
        ExpiresIn: this.expiresInSeconds,
        User: { Username: USERNAME },
      });
    }
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.validTokens.has(bearer)) return fail(401, 'Unauthorized');
    if (request.method === 'POST' && request.path === '/pop')
      return ok({ PopId: `pop-${this.count('POST /pop')}`, Status: 'Sent' }, 202);
    const popId = /^\/pops\/(.+)$/.exec(request.path)?.[1];
    if (request.method === 'GET' && popId) return ok(popStatus(decodeURIComponent(popId), 'Sent'));
    return fail(404, 'NotFound');
  }
}

export function popStatus(PopId: string, Status: string, Reason?: string) {
  const at = new Date().toISOString();
  return {
    PopId,
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'R-1',
    Status,
    ...(Reason ? { Reason } : {}),
    CreatedAt: at,
    UpdatedAt: at,
  };
}

function matches(route: string, request: Pick<RecordedRequest, 'method' | 'path'>): boolean {
  const [method, pattern] = route.split(' ');
  if (method !== request.method) return false;
  return pattern!.endsWith('*') ? request.path.startsWith(pattern!.slice(0, -1)) : request.path === pattern;
}

function envelope(answer: Answer) {
  const base = { Version: '1.0.0', RequestId: `req-${Math.random().toString(36).slice(2, 10)}` };
  return answer.error
    ? { Success: false, Result: null, ...base, Error: { Message: 'Refused.', ...answer.error } }
    : { Success: true, Result: answer.result, ...base };
}
