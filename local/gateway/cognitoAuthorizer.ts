/**
 * API Gateway's Cognito user pool authorizer (no OAuth scopes): accepts a verified IdToken of the pool's app client,
 * refuses AccessTokens, and hands the claims to the handler the way API Gateway does: every value a string,
 * `exp`/`iat` as `Fri Jul 29 18:52:53 UTC 2016`, `cognito:groups` as one comma-separated string.
 */
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { createIdTokenVerifier, type IdTokenVerifier, type UserPoolSettings } from '../../lambdas/auth/idTokenVerifier';
import { GATEWAY_ANSWERS, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';
import { claimDate } from './ids';

export type AuthorizerOutcome =
  | { readonly ok: true; readonly claims: Record<string, string> }
  | { readonly ok: false; readonly answer: GatewayAnswer };

const DATE_CLAIMS = new Set(['exp', 'iat']);

/** Claims as API Gateway's REST Cognito authorizer writes them into `requestContext.authorizer.claims`. */
export function claimsAsApiGatewayWritesThem(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (DATE_CLAIMS.has(name) && typeof value === 'number') claims[name] = claimDate(value);
    else if (Array.isArray(value)) claims[name] = value.map(String).join(',');
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

/** The raw token, or "Bearer <token>": API Gateway's Cognito authorizer accepts both. */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(trimmed);
  const token = bearer ? bearer[1]!.trim() : trimmed;
  return token === '' ? undefined : token;
}

export class CognitoAuthorizer {
  private readonly verifier: IdTokenVerifier;

  constructor(settings: UserPoolSettings) {
    this.verifier = createIdTokenVerifier(settings);
  }

  async authorize(authorization: string | undefined): Promise<AuthorizerOutcome> {
    const token = tokenFromAuthorization(authorization);
    if (token === undefined) return { ok: false, answer: GATEWAY_ANSWERS.unauthorized };
    try {
      await this.verifier.verify(token);
    } catch {
      // API Gateway's Cognito authorizer answers every refused token, an expired one included, with UNAUTHORIZED
      // (401); EXPIRED_TOKEN is for expired SigV4 credentials, which this API never takes.
      return { ok: false, answer: GATEWAY_ANSWERS.unauthorized };
    }
    // Verified above, so the payload can be trusted.
    return { ok: true, claims: claimsAsApiGatewayWritesThem(decomposeUnverifiedJwt(token).payload) };
  }
}
