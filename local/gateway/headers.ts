/** Headers as API Gateway hands them over: the client's own spelling, last value wins, plus every value in order. */
import type { IncomingMessage } from 'http';

export interface HeaderMaps {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
}

export function headerMaps(req: IncomingMessage, added: Record<string, string>): HeaderMaps {
  // Keyed by the client's names: no prototype, so `__proto__` or `toString` is a header like any other.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const multiValueHeaders: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const put = (name: string, value: string) => {
    // Keep the first spelling seen for a name, as one map key.
    const existing = Object.keys(multiValueHeaders).find((key) => key.toLowerCase() === name.toLowerCase());
    const key = existing ?? name;
    headers[key] = value;
    (multiValueHeaders[key] ??= []).push(value);
  };
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) put(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  for (const [name, value] of Object.entries(added)) put(name, value);
  return { headers, multiValueHeaders };
}

/** Decoded query parameters (last value wins) and every value, or null for both when the URL has none. */
export function queryMaps(url: URL): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  const multi: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0
    ? { queryStringParameters: null, multiValueQueryStringParameters: null }
    : { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/** What API Gateway adds in front of a handler: forwarding and tracing headers. */
export function forwardingHeaders(req: IncomingMessage, port: number): Record<string, string> {
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  const epochHex = Math.floor(Date.now() / 1000).toString(16);
  const random = Array.from({ length: 24 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return {
    'X-Amzn-Trace-Id': `Root=1-${epochHex}-${random}`,
    'X-Forwarded-For': sourceIp.replace(/^::ffff:/, ''),
    'X-Forwarded-Port': String(port),
    'X-Forwarded-Proto': 'http',
  };
}

export function sourceIpOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/**
 * The request target as a URL of this server, whatever it starts with: `new URL('//%/v1/pop', base)` would read `%`
 * as another host and throw, a 500 (test/unit/fuzz/gatewayNames.test.ts). API Gateway reads it as a path.
 */
export function targetUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  return new URL(`http://local${target.startsWith('/') ? target : `/${target}`}`);
}
