/**
 * The local control surface: a small JSON HTTP API on 127.0.0.1 (never another interface) to drive the Desktop by
 * hand or from tests.
 *
 *   GET  /agents                   the instance's state and each agent's current record and Activities list
 *   GET  /agents/<name>            one agent (404 when not on the Desktop)
 *   POST /agents/<name>/login      put an agent on the Desktop (sends Login)
 *   POST /agents/<name>/logout     take an agent off the Desktop (sends Logout)
 *   POST /agents/<name>/close      close the agent's current record
 *   POST /plugin/enable|disable    switch the Cloud API plugin on or off at run time
 *   GET  /                         the agent's Desktop page, live (desktopPage/server.ts)
 *   GET  /token                    this start's control token
 *
 * Every change (any method but GET and HEAD) must carry this start's token in `X-Control-Token`: a request the surface
 * cannot attribute to its own page (a tenant's webhook POSTing to 127.0.0.1, another local program) changes nothing.
 * The page reads the token with a same-origin GET; a cross-site page cannot read it, and another Host is refused.
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import validateLoginMessage from '../contract/generated/LoginMessage';
import { problemsOf } from '../contract/problems';
import type { AgentView, CloseResult, LoginResult, LogoutResult } from './desktop';
import { isSameOrigin, requestUrl } from './desktopPage/assets';
import type { PageHandler } from './desktopPage/server';

export interface InstanceControl {
  status(): Record<string, unknown>;
  agent(username: string): AgentView | undefined;
  login(username: string): LoginResult;
  logout(username: string): LogoutResult;
  closeRecord(username: string): CloseResult;
  setPluginEnabled(enabled: boolean): void;
}

export interface ControlServer {
  readonly port: number;
  /** This start's token: every change must carry it in `X-Control-Token` (GET /token reads it). */
  readonly token: string;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
}

/** The path's segments decoded, or undefined when one is not valid percent-encoding (then 400, never 500). */
function segmentsOf(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export function route(control: InstanceControl, method: string, path: string): { status: number; body: unknown } {
  const parts = segmentsOf(path);
  if (parts === undefined)
    return { status: 400, body: { error: 'BadPath', message: 'a path segment is not valid percent-encoding' } };
  const notFound = { status: 404, body: { error: 'NotFound', message: `no such endpoint: ${method} ${path}` } };
  if (parts[0] === 'agents' && parts.length === 1) {
    return method === 'GET'
      ? { status: 200, body: control.status() }
      : { status: 405, body: { error: 'MethodNotAllowed' } };
  }
  if (parts[0] === 'agents' && parts.length === 2) {
    if (method !== 'GET') return { status: 405, body: { error: 'MethodNotAllowed' } };
    const agent = control.agent(parts[1]);
    return agent
      ? { status: 200, body: agent }
      : { status: 404, body: { error: 'AgentNotOnDesktop', message: `"${parts[1]}" is not on the Desktop` } };
  }
  if (parts[0] === 'agents' && parts.length === 3 && parts[2] === 'close') {
    if (method !== 'POST') return { status: 405, body: { error: 'MethodNotAllowed' } };
    const result = control.closeRecord(parts[1]);
    return { status: result.status === 'NotLoggedIn' ? 404 : 200, body: { agent: parts[1], ...result } };
  }
  if (parts[0] === 'agents' && parts.length === 3 && (parts[2] === 'login' || parts[2] === 'logout')) {
    if (method !== 'POST') return { status: 405, body: { error: 'MethodNotAllowed' } };
    // The same check the server makes of the Login message this sends.
    if (problemsOf(validateLoginMessage, { Action: 'Login', Username: parts[1] }).length > 0) {
      return {
        status: 400,
        body: { error: 'InvalidAgentName', message: 'an agent name is 1 to 128 characters without control characters' },
      };
    }
    const result = parts[2] === 'login' ? control.login(parts[1]) : control.logout(parts[1]);
    return { status: result.status === 'NotLoggedIn' ? 404 : 200, body: { agent: parts[1], ...result } };
  }
  if (parts[0] === 'plugin' && parts.length === 2 && (parts[1] === 'enable' || parts[1] === 'disable')) {
    if (method !== 'POST') return { status: 405, body: { error: 'MethodNotAllowed' } };
    control.setPluginEnabled(parts[1] === 'enable');
    return { status: 200, body: { pluginEnabled: parts[1] === 'enable' } };
  }
  return notFound;
}

export const CONTROL_TOKEN_HEADER = 'x-control-token';

const sameToken = (sent: string | string[] | undefined, token: string): boolean =>
  typeof sent === 'string' &&
  Buffer.byteLength(sent) === Buffer.byteLength(token) &&
  timingSafeEqual(Buffer.from(sent), Buffer.from(token));

/** Answers a request refused before routing (403) and `GET /token` (true); false: route it. */
function gate(request: IncomingMessage, response: ServerResponse, port: number, token: string): boolean {
  // A browser may be sent here by any site: another Host or a cross-site write is refused.
  if (!isSameOrigin(request, port)) {
    reply(response, 403, { error: 'Forbidden', message: 'the control surface answers only its own origin' });
    return true;
  }
  const reading = request.method === 'GET' || request.method === 'HEAD';
  if (reading && requestUrl(request).pathname === '/token') {
    reply(response, 200, { token });
    return true;
  }
  if (!reading && !sameToken(request.headers[CONTROL_TOKEN_HEADER], token)) {
    const message = "a change needs this start's token in X-Control-Token (GET /token)";
    reply(response, 403, { error: 'Forbidden', message });
    return true;
  }
  return false;
}

/** Listens on 127.0.0.1:`port` (0: any free port, for tests); `page` serves the Desktop page. */
export async function startControlServer(
  control: InstanceControl,
  port: number,
  page?: PageHandler,
): Promise<ControlServer> {
  const token = randomBytes(24).toString('base64url');
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    try {
      const { pathname } = requestUrl(request);
      if (gate(request, response, (server.address() as AddressInfo).port, token)) return;
      if (page?.(request, response, pathname)) return;
      const { status, body } = route(control, request.method ?? 'GET', pathname);
      reply(response, status, body);
    } catch (error) {
      reply(response, 500, { error: 'InternalError', message: (error as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
