/**
 * `verifyWebhook`: checks a webhook the way the Standard Webhooks specification signs it
 * (https://www.standardwebhooks.com): `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` of
 * `<webhook-id>.<webhook-timestamp>.<raw body>` under the secret (`whsec_<base64 key>`), and the timestamp must be
 * within five minutes of now. WebCrypto only (Node 20+, browsers, edge runtimes), so it is async; the HMAC check is
 * WebCrypto's own constant-time `verify`.
 */
import { WebhookVerificationError } from './errors';

/** Headers as fetch (`Headers`) or node:http (`IncomingHttpHeaders`) give them. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** Largest difference between the webhook's timestamp and now. @default 300 */
  readonly toleranceSeconds?: number;
  /** @default Date.now() */
  readonly now?: number;
}

const SECRET_PREFIX = 'whsec_';

function header(headers: WebhookHeaders, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : (headers[name] ?? headers[name.toLowerCase()]);
  const text = Array.isArray(value) ? value[0] : (value as string | null | undefined);
  if (typeof text !== 'string' || text === '') throw new WebhookVerificationError(`Missing ${name} header`);
  return text;
}

function base64Bytes(text: string, what: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new WebhookVerificationError(`${what} is not base64`);
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function checkTimestamp(timestamp: string, options: VerifyWebhookOptions): void {
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    throw new WebhookVerificationError('Invalid webhook-timestamp');
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - seconds) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('webhook-timestamp is outside the tolerance');
  }
}

/**
 * Verifies a webhook and resolves with its parsed JSON body; rejects with WebhookVerificationError when a header is
 * missing, the timestamp is too old or too new, or no `v1` signature matches. Pass the body exactly as received.
 */
export async function verifyWebhook<T = unknown>(
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  checkTimestamp(timestamp, options);
  const keyBytes = base64Bytes(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'The secret',
  );
  const key = await globalThis.crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const bodyBytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bodyBytes.length);
  signed.set(prefix);
  signed.set(bodyBytes, prefix.length);
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) continue;
    let candidate: Uint8Array<ArrayBuffer>;
    try {
      candidate = base64Bytes(signature, 'A signature');
    } catch {
      continue;
    }
    if (await globalThis.crypto.subtle.verify('HMAC', key, candidate, signed)) {
      return JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)) as T;
    }
  }
  throw new WebhookVerificationError('No matching signature');
}
