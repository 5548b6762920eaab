/** Writes a Lambda proxy result back as API Gateway does, or says why it is malformed (API Gateway then answers 502). */
import type { ServerResponse } from 'http';

export class MalformedProxyResultError extends Error {
  override name = 'MalformedProxyResultError';
}

interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  body: Buffer;
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export function parseProxyResult(result: unknown): ProxyResult {
  if (typeof result !== 'object' || result === null) throw new MalformedProxyResultError('result is not an object');
  const r = result as Record<string, unknown>;
  const statusCode = typeof r.statusCode === 'string' ? Number(r.statusCode) : r.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new MalformedProxyResultError('statusCode is not an HTTP status');
  }
  // Keyed by the handler's names: no prototype (a `__proto__` header stays a header).
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object') throw new MalformedProxyResultError('headers is not an object');
    for (const [name, value] of Object.entries(r.headers)) {
      if (!isScalar(value)) throw new MalformedProxyResultError(`header ${name} is not a scalar`);
      headers[name] = String(value);
    }
  }
  const multiValueHeaders: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== 'object')
      throw new MalformedProxyResultError('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(r.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) {
        throw new MalformedProxyResultError(`multiValueHeaders ${name} is not a list of scalars`);
      }
      multiValueHeaders[name] = values.map(String);
    }
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') {
    throw new MalformedProxyResultError('body is not a string');
  }
  const text = typeof r.body === 'string' ? r.body : '';
  const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, multiValueHeaders, body };
}

export function writeProxyResult(res: ServerResponse, result: ProxyResult, requestId: string): void {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const set = (name: string, values: string[]) => {
    const key = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    const prior = out[key];
    out[key] = prior === undefined ? values : [...(Array.isArray(prior) ? prior : [prior]), ...values];
  };
  // API Gateway merges both maps; multiValueHeaders values are appended.
  for (const [name, value] of Object.entries(result.headers)) set(name, [value]);
  for (const [name, values] of Object.entries(result.multiValueHeaders)) set(name, values);
  for (const [key, value] of Object.entries(out)) if (Array.isArray(value) && value.length === 1) out[key] = value[0]!;
  const has = (name: string) => Object.keys(out).some((k) => k.toLowerCase() === name);
  if (!has('content-type')) out['Content-Type'] = 'application/json';
  out['Content-Length'] = String(result.body.length);
  out['x-amzn-RequestId'] = requestId;
  res.writeHead(result.statusCode, out);
  res.end(result.body);
}
