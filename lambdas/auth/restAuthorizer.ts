/**
 * The REST API's Lambda REQUEST authorizer (lib/restApi.ts), in place of API Gateway's Cognito authorizer:
 * - verifies the IdToken as that authorizer did (signature, issuer, the app client, expiry, `token_use: id`), from
 *   `Authorization: Bearer <IdToken>` or the bare token, which the Cognito authorizer also took;
 * - refuses a token its user's revocation came after (lambdas/auth/revocations.ts: disabled means out, on every route);
 * - hands the handlers the claims they read (lambdas/auth/callerIdentity.ts) as a flat context under the claims' own
 *   names, the groups comma-joined as API Gateway wrote them;
 * - names the tenant's API key as `usageIdentifierKey`, so API Gateway throttles each tenant on its usage plan.
 * A missing, invalid, expired or revoked token -> 401 (throw 'Unauthorized', API Gateway's convention). Roles are the
 * handlers' to check (an instance's token gets 403 Forbidden from them, as before).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { TENANT_CLAIM } from '../shared/identity';
import { requestLogger } from '../shared/logger';
import type { IdentityClaims, IdTokenVerifier } from './idTokenVerifier';
import { header, instanceAuthorizerDependencies, verifiedIdentity } from './instanceAuthorizer';
import { refusedIfRevoked, type Revocations } from './revocations';
import { restApiIdOf, stageWildcardArn, tenantUsageKey } from './tenantUsageKey';

export interface RestAuthorizerDependencies {
  /** Built once per container so the pool's signing keys stay cached between requests. */
  readonly verifier: IdTokenVerifier;
  /** Tokens of disabled or deleted users; none checked when absent. */
  readonly revocations?: Revocations;
}

export type RestAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context?: Context,
) => Promise<APIGatewayAuthorizerResult>;

/** The raw token, or `Bearer <token>`: API Gateway's Cognito authorizer took both. */
export function tokenOf(authorization: string | undefined): string | undefined {
  const trimmed = authorization?.trim() ?? '';
  const token = (/^Bearer\s+(.+)$/i.exec(trimmed)?.[1] ?? trimmed).trim();
  return token === '' || /\s/.test(token) ? undefined : token;
}

/** The claims the handlers read, as the REST Cognito authorizer handed them over (strings; groups comma-joined). */
export function identityContext(identity: IdentityClaims): Record<string, string | number> {
  return {
    'cognito:username': identity.username,
    [TENANT_CLAIM]: identity.tenant,
    'cognito:groups': identity.groups.join(','),
    ...(identity.issuedAt !== undefined ? { iat: Math.floor(identity.issuedAt / 1000) } : {}),
  };
}

export function makeRestAuthorizer({ verifier, revocations }: RestAuthorizerDependencies): RestAuthorizer {
  return async (event, context) => {
    const log = requestLogger(context, { apiRequestId: event.requestContext?.requestId ?? 'unknown' });
    const token = tokenOf(header(event, 'authorization'));
    const restApiId = restApiIdOf(event.methodArn);
    if (!token || !restApiId) {
      log.warn('Request refused', { reason: token ? 'NoRestApiId' : 'MissingToken' });
      throw new Error('Unauthorized');
    }
    const identity = await verifiedIdentity(verifier, token, log, 'Request refused');
    if (await refusedIfRevoked(revocations, identity.username, identity.issuedAt)) {
      log.warn('Request refused', { reason: 'TokenRevoked', tenant: identity.tenant, username: identity.username });
      throw new Error('Unauthorized');
    }
    return {
      principalId: identity.username,
      // The whole stage: API Gateway may reuse a cached answer for any method (restAuthorizerCacheSeconds).
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcardArn(event.methodArn) }],
      },
      context: identityContext(identity),
      usageIdentifierKey: tenantUsageKey(restApiId, identity.tenant),
    };
  };
}

/** The same verifier and revocations as the WebSocket authorizer's (one pool, one app client, one table). */
export const restAuthorizerDependencies: typeof instanceAuthorizerDependencies = instanceAuthorizerDependencies;
