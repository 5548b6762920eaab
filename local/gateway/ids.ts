/** Identifiers shaped like API Gateway's, so nothing relies on a local-only format. */
import { randomBytes, randomUUID } from 'crypto';

/** Opaque, base64-like, like `XfGLwFTktjMFsLg=`: it must be URL-encoded in `@connections` paths. */
export const newConnectionId = (): string => randomBytes(11).toString('base64');
/** WebSocket message ids and extended request ids look alike. */
export const newMessageId = (): string => randomBytes(11).toString('base64');
export const newRequestId = (): string => randomUUID();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.requestTime`: `13/Dec/2020:10:17:47 +0000`. */
export function requestTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** How API Gateway's Cognito authorizer writes `exp`/`iat` claims: `Fri Jul 29 18:52:53 UTC 2016`. */
export function claimDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
