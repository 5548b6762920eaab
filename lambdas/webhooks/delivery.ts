/**
 * One HTTP attempt of a delivery: POST the signed body, 5 s for the whole exchange, no redirect followed (a 3xx is a
 * failure), only a 2xx counts. The connection's own DNS lookup runs the address check (urlGuard.ts) and connects to
 * the address it checked, so a name that resolves to a private address at delivery time (DNS rebinding) is refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { addressProblem, checkUrlForm, type UrlRules } from './urlGuard';

export const DELIVERY_TIMEOUT_MS = 5_000;

export type AttemptResult =
  { readonly ok: true; readonly status: number } | { readonly ok: false; readonly error: string };

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing any address the rules refuse. */
export function guardedLookup(rules: UrlRules) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const problem = list.map((a) => addressProblem(a.address, rules)).find((p) => p !== undefined);
      if (problem || list.length === 0)
        return callback(Object.assign(new Error(`refused: ${problem ?? 'no address'}`), { code: 'EREFUSED' }), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export function postSigned(
  raw: string,
  body: string,
  headers: Record<string, string>,
  rules: UrlRules,
): Promise<AttemptResult> {
  const form = checkUrlForm(raw, rules);
  if (form.kind === 'refused') return Promise.resolve({ ok: false, error: form.reason });
  const url = form.url;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'user-agent': 'remote-pop-webhooks/1',
          'content-length': Buffer.byteLength(body),
        },
        lookup: guardedLookup(rules) as never,
        timeout: DELIVERY_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` });
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error('timed out after 5 s')), DELIVERY_TIMEOUT_MS);
    request.on('timeout', () => request.destroy(new Error('timed out after 5 s')));
    request.on('error', (error) => resolve({ ok: false, error: error.message }));
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
