/**
 * The API's RefreshToken: an envelope around Cognito's refresh token that also carries the user's name, because with
 * a client secret Cognito's REFRESH_TOKEN_AUTH needs a SECRET_HASH computed from it, and POST /auth/refresh receives
 * only this token. Callers treat it as opaque (contract/rest.ts RefreshRequest).
 *
 * Form: `rp1.<base64url(username)>.<Cognito's refresh token>.<base64url(tag)>`, the tag an HMAC-SHA256 of everything
 * before it under a key derived from the client secret, so a changed username or token is refused before any Cognito
 * call (the local emulator checks no SECRET_HASH: the tag is what refuses a tampered envelope there too).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'rp1';
/** Domain separation: the tag's key is not the secret itself, so a tag can never serve as a SECRET_HASH. */
const TAG_KEY_LABEL = 'remote-pop refresh envelope v1';

export interface RefreshGrant {
  readonly username: string;
  readonly cognitoRefreshToken: string;
}

function tag(clientSecret: string, body: string): Buffer {
  const key = createHmac('sha256', clientSecret).update(TAG_KEY_LABEL).digest();
  return createHmac('sha256', key).update(body, 'utf8').digest();
}

export function sealRefreshToken(clientSecret: string, grant: RefreshGrant): string {
  const body = `${VERSION}.${Buffer.from(grant.username, 'utf8').toString('base64url')}.${grant.cognitoRefreshToken}`;
  return `${body}.${tag(clientSecret, body).toString('base64url')}`;
}

/**
 * The grant inside a token this API sealed with this client secret; undefined for anything else: a changed envelope,
 * or a bare Cognito refresh token of the secret-less client before this envelope (which the new client refuses anyway).
 */
export function openRefreshToken(clientSecret: string, token: string): RefreshGrant | undefined {
  const parts = token.split('.');
  // Cognito's refresh token is a JWE (five dot-separated parts) in AWS, an id in cognito-local: at least one part.
  if (parts[0] !== VERSION || parts.length < 4) return undefined;
  const given = Buffer.from(parts[parts.length - 1]!, 'base64url');
  const body = parts.slice(0, -1).join('.');
  const expected = tag(clientSecret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const username = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  const cognitoRefreshToken = parts.slice(2, -1).join('.');
  if (!username || !cognitoRefreshToken) return undefined;
  return { username, cognitoRefreshToken };
}
