/**
 * The WebSocket $connect REQUEST authorizer: a Scripting instance presents its IdToken as `Authorization: Bearer
 * <token>`. A missing or invalid token -> 401 (throw 'Unauthorized', API Gateway's convention); a valid token of
 * another role or a bad instance name -> 403 (Deny). Allowed connections carry tenant, username and instance to
 * every later event (lambdas/edge/webSocket.ts reads them back).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { SCRIPTING_INSTANCES_GROUP } from '../shared/identity';
import { requestLogger } from '../shared/logger';
import { InvalidTokenError, type IdentityClaims, type IdTokenVerifier } from './idTokenVerifier';
import type { Settings } from '../shared/settings';
import { createIdTokenVerifier } from './idTokenVerifier';
import { refusedIfRevoked, tableRevocations, type Revocations } from './revocations';
import type { AwsClients } from '../clients/awsClients';

export interface InstanceAuthorizerDependencies {
  /** Built once per container so the pool's signing keys stay cached between connections. */
  readonly verifier: IdTokenVerifier;
  /** Tokens of disabled or deleted users (revocations.ts); none checked when absent. */
  readonly revocations?: Revocations;
}

export type InstanceAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context?: Context,
) => Promise<APIGatewayAuthorizerResult>;

const INSTANCE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function header(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value) return value;
  }
  return undefined;
}

function policy(
  effect: 'Allow' | 'Deny',
  principalId: string,
  methodArn: string,
  context?: Record<string, string>,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }],
    },
    ...(context ? { context } : {}),
  };
}

/** The token's identity; a refused token throws 'Unauthorized' (API Gateway's 401), anything else is rethrown. */
export async function verifiedIdentity(
  verifier: IdTokenVerifier,
  token: string,
  log: ReturnType<typeof requestLogger>,
  refusal = 'Connection refused',
): Promise<IdentityClaims> {
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      log.warn(refusal, { reason: 'InvalidToken', detail: error.message });
      throw new Error('Unauthorized');
    }
    log.error('Token verification failed', { errorName: (error as Error)?.name });
    throw error;
  }
}

/** `Bearer <token>` (the token in [1]), or null. */
export const bearerToken = (authorization: string | undefined): RegExpExecArray | null =>
  authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;

export function makeInstanceAuthorizer({ verifier, revocations }: InstanceAuthorizerDependencies): InstanceAuthorizer {
  return async (event, context) => {
    const log = requestLogger(context, { apiRequestId: event.requestContext?.requestId ?? 'unknown' });
    const authorization = header(event, 'authorization');
    const match = bearerToken(authorization);
    if (!match) {
      log.warn('Connection refused', { reason: 'MissingBearerToken' });
      throw new Error('Unauthorized');
    }
    const identity = await verifiedIdentity(verifier, match[1]!, log);
    if (await refusedIfRevoked(revocations, identity.username, identity.issuedAt)) {
      log.warn('Connection refused', { reason: 'TokenRevoked', tenant: identity.tenant, username: identity.username });
      throw new Error('Unauthorized');
    }
    if (!identity.groups.includes(SCRIPTING_INSTANCES_GROUP)) {
      log.warn('Connection refused', {
        reason: 'NotAScriptingInstance',
        tenant: identity.tenant,
        username: identity.username,
      });
      return policy('Deny', identity.username, event.methodArn);
    }
    const instance = event.queryStringParameters?.instance ?? identity.username;
    if (!INSTANCE_NAME.test(instance)) {
      log.warn('Connection refused', { reason: 'InvalidInstanceName', tenant: identity.tenant });
      return policy('Deny', identity.username, event.methodArn);
    }
    log.info('Connection allowed', { tenant: identity.tenant, username: identity.username, instance });
    return policy('Allow', identity.username, event.methodArn, {
      tenant: identity.tenant,
      username: identity.username,
      instance,
    });
  };
}

export const instanceAuthorizerDependencies = (
  settings: Pick<Settings, 'region' | 'userPoolId' | 'userPoolClientId' | 'cognitoEndpoint' | 'tableName'>,
  clients?: Pick<AwsClients, 'db'>,
): InstanceAuthorizerDependencies => ({
  ...(clients ? { revocations: tableRevocations(clients.db, settings.tableName) } : {}),
  verifier: createIdTokenVerifier({
    region: settings.region,
    userPoolId: settings.userPoolId,
    clientId: settings.userPoolClientId,
    ...(settings.cognitoEndpoint ? { cognitoEndpoint: settings.cognitoEndpoint } : {}),
  }),
});
