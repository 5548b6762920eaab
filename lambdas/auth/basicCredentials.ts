import { refuse, type Refused } from '../shared/outcome';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The edge adds the `WWW-Authenticate: Basic` challenge to this refusal (lambdas/edge/restAnswer.ts). */
export const missingCredentials = (): Refused =>
  refuse('MissingCredentials', 'Send your Cloud API username and password as HTTP Basic credentials.');

const invalidHeader = (why: string): Refused =>
  refuse('InvalidAuthorizationHeader', `The Authorization header is not valid Basic credentials: ${why}.`);

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Parse `Authorization: Basic base64(user:pass)`. The password may contain colons (split on the first one);
 * both parts are UTF-8 (RFC 7617 charset="UTF-8").
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | Refused {
  if (header === undefined || header.trim() === '') return missingCredentials();
  const match = /^Basic[ ]+(\S+)\s*$/i.exec(header.trim());
  if (!match) return invalidHeader('expected "Basic <base64>"');
  const encoded = match[1]!;
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return invalidHeader('the credentials are not base64');
  const decoded = decodeUtf8(Buffer.from(encoded, 'base64'));
  if (decoded === undefined) return invalidHeader('the credentials are not UTF-8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return invalidHeader('expected "username:password"');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (username === '' || password === '') return invalidHeader('the username and password must not be empty');
  return { username, password };
}
