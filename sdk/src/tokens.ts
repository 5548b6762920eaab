/**
 * The client's one token. Cognito allows about 120 sign-ins per second per account (docs/http-api.md),
 * so a client signs in once, shares that sign-in among concurrent first calls, refreshes with the RefreshToken shortly
 * before expiry (in the background: calls go on with the still-valid token meanwhile) or at once after a 401, and
 * signs in again with Basic only when the refresh is refused. While the identity provider is down, a token that has
 * not yet expired keeps being used.
 */
import { RefusedError } from './errors';
import type { CallOptions, CallSpec, TokenSource, Transport } from './transport';
import type { RefreshedTokenResult, TokenResult } from './types';

/** Returns an IdToken; `forceRefresh` after the API refused the last one. Called before every request: cache. */
export type TokenProvider = (request: {
  readonly forceRefresh: boolean;
  readonly signal: AbortSignal;
}) => string | Promise<string>;

interface Session {
  readonly idToken: string;
  readonly refreshToken: string;
  /** Epoch ms: renew from then on. */
  readonly renewAt: number;
  /** Epoch ms: the IdToken's end. */
  readonly expiresAt: number;
}

/** Resolves with the promise's value, or rejects with the signal's reason as soon as it aborts (the promise runs on). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface PasswordTokenSettings {
  readonly username: string;
  readonly password: string;
  /** Renew this long before the IdToken expires. @default 60 s, or half the lifetime of a shorter-lived token */
  readonly refreshBeforeExpiryMs: number | undefined;
  /** Options of the sign-in and refresh calls (their own deadline; not a caller's signal: they are shared). */
  readonly authCall: CallOptions;
}

/** Username and password: `GET /auth` (Basic) once, then `POST /auth/refresh`. */
export class PasswordTokenSource implements TokenSource {
  readonly #basic: string;
  #session: Session | undefined;
  #pending: Promise<Session> | undefined;
  /** Sign-ins made (GET /auth answered 200), for callers that watch their Cognito budget. */
  signIns = 0;
  refreshes = 0;

  constructor(
    private readonly transport: Transport,
    private readonly settings: PasswordTokenSettings,
  ) {
    this.#basic = `Basic ${base64(`${settings.username}:${settings.password}`)}`;
  }

  token(signal: AbortSignal): string | Promise<string> {
    const session = this.#session;
    const now = Date.now();
    if (session !== undefined && now < session.renewAt) return session.idToken;
    if (this.#pending === undefined) {
      this.#pending = this.renew(session).finally(() => (this.#pending = undefined));
      // A renewal nobody waits for (below) must not be an unhandled rejection; callers that wait see its error.
      this.#pending.catch(() => undefined);
    }
    // Still valid: renew in the background rather than make this call wait for the identity provider.
    if (session !== undefined && now < session.expiresAt) return session.idToken;
    return abortable(this.#pending, signal).then((renewed) => renewed.idToken);
  }

  invalidate(token: string): void {
    const session = this.#session;
    // Only the token that was refused: a 401 that raced a renewal must not throw away the new token.
    if (session?.idToken === token) this.#session = { ...session, renewAt: 0, expiresAt: 0 };
  }

  private async renew(session: Session | undefined): Promise<Session> {
    try {
      this.#session = session === undefined ? await this.signIn() : await this.refresh(session);
      return this.#session;
    } catch (error) {
      // Cognito down or throttled: a token that is still valid does better than none.
      if (session !== undefined && Date.now() < session.expiresAt && !(error instanceof RefusedError)) return session;
      throw error;
    }
  }

  private async refresh(session: Session): Promise<Session> {
    const spec: CallSpec = {
      method: 'POST',
      path: '/auth/refresh',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ RefreshToken: session.refreshToken }),
    };
    try {
      const started = Date.now();
      const result = await this.transport.call<RefreshedTokenResult>(spec, this.settings.authCall);
      this.refreshes += 1;
      this.transport.log('token refreshed');
      return this.sessionOf(result, session.refreshToken, started);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      this.transport.log(`refresh refused (${error.code}): signing in again`);
      return this.signIn();
    }
  }

  private async signIn(): Promise<Session> {
    const started = Date.now();
    const spec: CallSpec = { method: 'GET', path: '/auth', headers: { Authorization: this.#basic } };
    const result = await this.transport.call<TokenResult>(spec, this.settings.authCall);
    this.signIns += 1;
    this.transport.log('signed in');
    return this.sessionOf(result, result.RefreshToken, started);
  }

  /** Times count from before the request was sent, so the token is never taken for younger than it is. */
  private sessionOf(result: RefreshedTokenResult, refreshToken: string, started: number): Session {
    const lifetimeMs = Math.max(0, result.ExpiresIn) * 1000;
    const margin = Math.min(this.settings.refreshBeforeExpiryMs ?? Math.min(60_000, lifetimeMs / 2), lifetimeMs);
    return {
      idToken: result.IdToken,
      refreshToken,
      renewAt: started + lifetimeMs - margin,
      expiresAt: started + lifetimeMs,
    };
  }
}

/** A caller's own token provider, asked before every request and told when the API refused its token. */
export class ProvidedTokenSource implements TokenSource {
  #refused: string | undefined;

  constructor(private readonly provider: TokenProvider) {}

  async token(signal: AbortSignal): Promise<string> {
    const token = await this.provider({ forceRefresh: this.#refused !== undefined, signal });
    if (token !== this.#refused) this.#refused = undefined;
    return token;
  }

  invalidate(token: string): void {
    this.#refused = token;
  }
}

/** Base64 of the UTF-8 bytes (btoa alone takes Latin-1 only; passwords may hold any character). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
