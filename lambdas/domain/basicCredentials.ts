import { ApiError } from '../shared/apiError';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const missingCredentials = () =>
  new ApiError(
    401,
    'MissingCredentials',
    'Send your Cloud API username and password as HTTP Basic credentials.',
    [],
    { 'WWW-Authenticate': 'Basic realm="Cloud API", charset="UTF-8"' },
  );

const invalidHeader = (why: string) =>
  new ApiError(400, 'InvalidAuthorizationHeader', `The Authorization header is not valid Basic credentials: ${why}.`);

/**
 * Parse `Authorization: Basic base64(user:pass)`. The password may contain colons (split on the first one);
 * both parts are UTF-8 (RFC 7617 charset="UTF-8").
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials {
  if (header === undefined || header.trim() === '') throw missingCredentials();
  const match = /^Basic[ ]+(\S+)\s*$/i.exec(header.trim());
  if (!match) throw invalidHeader('expected "Basic <base64>"');
  const encoded = match[1]!;
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw invalidHeader('the credentials are not base64');
  const bytes = Buffer.from(encoded, 'base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidHeader('the credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidHeader('expected "username:password"');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (username === '' || password === '') throw invalidHeader('the username and password must not be empty');
  return { username, password };
}
