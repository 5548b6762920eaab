import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TENANT_CLAIM } from '../shared/identity';

export interface UserPoolSettings {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Local only: the Cognito emulator, which is also its tokens' issuer base (`<endpoint>/<poolId>`). */
  readonly cognitoEndpoint?: string;
}

/** The claims of a verified IdToken that the system relies on, parsed once. */
export interface IdentityClaims {
  readonly username: string;
  readonly tenant: string;
  readonly groups: readonly string[];
  readonly email?: string;
  /** When the token was issued (its `iat`), epoch ms: a revocation refuses tokens issued before it (revocations.ts). */
  readonly issuedAt?: number;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export function userPoolIssuer(settings: UserPoolSettings): string {
  return settings.cognitoEndpoint
    ? `${settings.cognitoEndpoint.replace(/\/+$/, '')}/${settings.userPoolId}`
    : `https://cognito-idp.${settings.region}.amazonaws.com/${settings.userPoolId}`;
}

// aws-jwt-verify's default fetcher refuses http: URIs; the emulator serves its JWKS over http, AWS over https.
const fetchJwks = {
  fetch: async (uri: string): Promise<ArrayBuffer> => {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`JWKS fetch failed with HTTP ${response.status}`);
    return response.arrayBuffer();
  },
};

export interface IdTokenVerifier {
  /** Verifies signature, issuer, audience (the app client), expiry and `token_use: id`; throws InvalidTokenError. */
  verify(token: string): Promise<IdentityClaims>;
}

/** Build once per container: the verifier caches the pool's keys across invocations. */
export function createIdTokenVerifier(settings: UserPoolSettings): IdTokenVerifier {
  const issuer = userPoolIssuer(settings);
  const verifier = JwtVerifier.create(
    {
      issuer,
      audience: settings.clientId,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error('Not an IdToken');
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: fetchJwks }) },
  );
  return {
    async verify(token: string): Promise<IdentityClaims> {
      let payload: JwtPayload;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        throw new InvalidTokenError(error instanceof Error ? error.message : 'Invalid token');
      }
      return identityFromPayload(payload);
    },
  };
}

export function identityFromPayload(payload: JwtPayload): IdentityClaims {
  const username = payload['cognito:username'];
  const tenant = payload[TENANT_CLAIM];
  if (typeof username !== 'string' || username === '') throw new InvalidTokenError('Token has no username');
  if (typeof tenant !== 'string' || tenant === '') throw new InvalidTokenError('Token has no tenant');
  const groups = payload['cognito:groups'];
  const email = payload.email;
  return {
    username,
    tenant,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat * 1000 } : {}),
  };
}
