/**
 * The instance user's tokens from the REST API: `GET /auth` with Basic credentials and `POST /auth/refresh` with the
 * RefreshToken (contract/operations.ts `authToken`, `authRefresh`). Holds no timers and logs nothing; the connector
 * decides when to call.
 */
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { ErrorBody, RefreshRequest, TokenResult } from '../contract/rest';

export interface Tokens {
  readonly idToken: string;
  readonly refreshToken: string;
  /** Epoch ms at which the IdToken expires. */
  readonly expiresAt: number;
  /** Lifetime as issued, in seconds. */
  readonly expiresIn: number;
}

/** A failed token request. `code` is the envelope's Error.Code, or `NetworkError` / `BadResponse`. */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface AuthClientOptions {
  readonly authUrl: string;
  readonly refreshUrl: string;
  readonly username: string;
  readonly password: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

/** A token answer's `Result` (contract/rest.ts `TokenResult`, `RefreshedTokenResult`), each field still to be checked. */
type AuthResult = Partial<Record<keyof TokenResult, unknown>>;

/** The `exp` claim of a JWT, in epoch seconds, read without verifying (the server verifies; we only plan ahead). */
export function jwtExpiry(token: string): number | undefined {
  try {
    const { exp } = decomposeUnverifiedJwt(token).payload;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export class AuthClient {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: AuthClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** `GET authUrl` with `Authorization: Basic base64(user:pass)`. */
  async authenticate(): Promise<Tokens> {
    const basic = Buffer.from(`${this.options.username}:${this.options.password}`, 'utf8').toString('base64');
    const result = await this.call(this.options.authUrl, {
      method: 'GET',
      headers: { Authorization: `Basic ${basic}` },
    });
    if (typeof result.RefreshToken !== 'string')
      throw new AuthError('BadResponse', 'the auth answer has no RefreshToken');
    return this.tokens(result, result.RefreshToken);
  }

  /** `POST refreshUrl {"RefreshToken"}`: a new IdToken, the same RefreshToken. */
  async refresh(refreshToken: string): Promise<Tokens> {
    const result = await this.call(this.options.refreshUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ RefreshToken: refreshToken } satisfies RefreshRequest),
    });
    return this.tokens(result, typeof result.RefreshToken === 'string' ? result.RefreshToken : refreshToken);
  }

  private tokens(result: AuthResult, refreshToken: string): Tokens {
    if (typeof result.IdToken !== 'string' || result.IdToken === '') {
      throw new AuthError('BadResponse', 'the auth answer has no IdToken');
    }
    const issuedAt = this.now();
    let expiresIn = typeof result.ExpiresIn === 'number' && result.ExpiresIn > 0 ? result.ExpiresIn : undefined;
    if (expiresIn === undefined) {
      const exp = jwtExpiry(result.IdToken);
      expiresIn = exp !== undefined ? Math.max(1, exp - Math.floor(issuedAt / 1000)) : 3600;
    }
    return { idToken: result.IdToken, refreshToken, expiresIn, expiresAt: issuedAt + expiresIn * 1000 };
  }

  private async call(url: string, init: RequestInit): Promise<AuthResult> {
    let response: Response;
    try {
      response = await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new AuthError('NetworkError', `cannot reach ${url}: ${(error as Error).message}`);
    }
    let body: { Success?: unknown; Result?: AuthResult; Error?: Partial<Record<keyof ErrorBody, unknown>> };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new AuthError(
        'BadResponse',
        `${url} answered HTTP ${response.status} without a JSON envelope`,
        response.status,
      );
    }
    if (!response.ok || body.Success !== true || !body.Result) {
      const code = typeof body.Error?.Code === 'string' ? body.Error.Code : `HTTP${response.status}`;
      const message = typeof body.Error?.Message === 'string' ? body.Error.Message : 'token request refused';
      throw new AuthError(code, message, response.status);
    }
    return body.Result;
  }
}
