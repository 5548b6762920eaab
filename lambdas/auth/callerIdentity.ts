import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API_CALLERS_GROUP, ROLE_GROUPS, TENANT_CLAIM } from '../shared/identity';
import { isRefused, refuse, refusals, type Refused } from '../shared/outcome';

export interface Caller {
  readonly username: string;
  readonly tenant: string;
  readonly groups: readonly string[];
}

/**
 * `cognito:groups` as API Gateway hands it over: REST APIs write one comma-separated string, HTTP API JWT
 * authorizers write "[a b]", and a real array is accepted too.
 */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof raw !== 'string') return [];
  const trimmed = raw.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  return inner
    .split(/[,\s]+/)
    .map((g) => g.trim())
    .filter((g) => g !== '');
}

/**
 * The verified claims of the request: the REST Lambda authorizer's context, a flat map under the claims' own names
 * (lambdas/auth/restAuthorizer.ts), or `claims` as API Gateway's Cognito authorizer wrote them. Only API Gateway
 * writes `requestContext.authorizer`; a caller cannot.
 */
export function claimsOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Record<string, unknown> {
  const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = authorizer.claims;
  return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : authorizer;
}

/** The caller as the REST authorizer verified it (claims arrive as strings). */
export function callerFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller | Refused {
  const claims = claimsOf(event);
  const username = claims['cognito:username'];
  const tenant = claims[TENANT_CLAIM];
  if (typeof username !== 'string' || username === '' || typeof tenant !== 'string' || tenant === '') {
    return refuse('Unauthorized', 'A valid IdToken is required: send Authorization: Bearer <IdToken> from GET /auth.');
  }
  return { username, tenant, groups: parseGroups(claims['cognito:groups']) };
}

/**
 * The one role the groups grant, or undefined. The REST authorizer joins `cognito:groups` with commas, so a group
 * named `x,api-callers` reads exactly like the two groups `x` and `api-callers`: a role is granted only when every name
 * read is a role group and there is exactly one (a user is in exactly one role group, lambdas/shared/identity.ts).
 * The stack and the provisioning CLI refuse group names with a comma or white space.
 */
export function roleOf(groups: readonly string[]): (typeof ROLE_GROUPS)[number] | undefined {
  const known = groups.every((group) => (ROLE_GROUPS as readonly string[]).includes(group));
  return known && groups.length === 1 ? (groups[0] as (typeof ROLE_GROUPS)[number]) : undefined;
}

/** Only third-party systems (api-callers) request pops; an instance's token is refused with Forbidden. */
export function requireApiCaller(caller: Caller | Refused): Caller | Refused {
  if (isRefused(caller)) return caller;
  if (roleOf(caller.groups) !== API_CALLERS_GROUP)
    return refusals.forbidden(`Only members of ${API_CALLERS_GROUP} may call this operation.`);
  return caller;
}

/** The api-caller an event comes from, or why it may not call. */
export const apiCallerOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller | Refused =>
  requireApiCaller(callerFromEvent(event));
