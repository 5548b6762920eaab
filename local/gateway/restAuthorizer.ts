/**
 * The REST routes' Lambda REQUEST authorizer as API Gateway runs it (lib/restApi.ts): identity source
 * `Authorization` (absent: 401 without running it), the function's answer evaluated as a policy (authorizerPolicy.ts:
 * 'Unauthorized' thrown -> 401, Deny -> 403, an error -> AUTHORIZER_CONFIGURATION_ERROR, 503 in this stack's Gateway
 * Responses), then, where the route requires an API key, the key the
 * authorizer names (`usageIdentifierKey`) on the stage's usage plans (usagePlans.ts): none -> 403, over its plan's
 * throttle -> 429. No result cache: the stack's default TTL is 0 (lib/stackSettings.ts restAuthorizerCacheSeconds).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { GATEWAY_ANSWERS, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';
import { evaluateAuthorizerResult } from './authorizerPolicy';
import type { AuthorizerContext } from './connections';
import type { LambdaRuntime } from './lambdaRuntime';
import { errorSummary, type GatewayLog } from './log';
import type { UsagePlans } from './usagePlans';

export const REST_AUTHORIZER = 'restAuthorizer';

export type RestAuthorization =
  | { readonly ok: true; readonly authorizer: AuthorizerContext }
  | { readonly ok: false; readonly answer: GatewayAnswer; readonly why: string };

export interface RestAuthorizerSetup {
  readonly runtime: LambdaRuntime;
  readonly log: GatewayLog;
  readonly region: string;
  readonly accountId: string;
  /** Set when the routes that take a token require an API key (usage plans on); else the key is not looked at. */
  readonly usagePlans?: UsagePlans;
}

const refused = (answer: GatewayAnswer, why: string): RestAuthorization => ({ ok: false, answer, why });

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, the request's method ARN. */
export function restMethodArn(setup: RestAuthorizerSetup, event: APIGatewayProxyEvent): string {
  const { apiId, stage } = event.requestContext;
  return `arn:aws:execute-api:${setup.region}:${setup.accountId}:${apiId}/${stage}/${event.httpMethod}${event.path}`;
}

/** The REQUEST authorizer's input: the request as the proxy event has it, without the body. */
function authorizerEvent(event: APIGatewayProxyEvent, methodArn: string): Record<string, unknown> {
  const { body: _body, isBase64Encoded: _encoded, ...request } = event;
  return { type: 'REQUEST', methodArn, ...request };
}

async function invokeAuthorizer(setup: RestAuthorizerSetup, event: unknown): Promise<unknown> {
  try {
    return await setup.runtime.invoke(REST_AUTHORIZER, event);
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') throw error;
    setup.log.error(`REST authorizer failed: ${errorSummary(error)}`);
    return undefined;
  }
}

/** The authorizer context the handler gets (`requestContext.authorizer`), or the answer API Gateway gives instead. */
export async function authorizeRest(
  setup: RestAuthorizerSetup,
  event: APIGatewayProxyEvent,
  authorization: string | undefined,
): Promise<RestAuthorization> {
  if (!authorization || authorization.trim() === '') return refused(GATEWAY_ANSWERS.unauthorized, 'no Authorization');
  const started = Date.now();
  const methodArn = restMethodArn(setup, event);
  let result: unknown;
  try {
    result = await invokeAuthorizer(setup, authorizerEvent(event, methodArn));
  } catch {
    return refused(GATEWAY_ANSWERS.unauthorized, 'authorizer: Unauthorized');
  }
  const outcome = evaluateAuthorizerResult(result, methodArn);
  if (!outcome.allowed) {
    if (outcome.status === 500)
      return refused(GATEWAY_ANSWERS.authorizerConfigurationError, `authorizer: ${outcome.why}`);
    return refused(GATEWAY_ANSWERS.accessDenied, outcome.why);
  }
  if (setup.usagePlans) {
    const key = (result as { usageIdentifierKey?: unknown }).usageIdentifierKey;
    const taken = setup.usagePlans.take(typeof key === 'string' ? key : undefined);
    if (taken === 'invalidKey') return refused(GATEWAY_ANSWERS.invalidApiKey, 'no usage plan for the key');
    if (taken === 'throttled') return refused(GATEWAY_ANSWERS.throttled, 'usage plan throttle');
  }
  return {
    ok: true,
    authorizer: { ...outcome.context, principalId: outcome.principalId, integrationLatency: Date.now() - started },
  };
}
