import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API_CALLERS_GROUP, TENANT_CLAIM } from '../shared/identity';
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

/** The caller as the REST Cognito authorizer verified it (claims arrive as strings). */
export function callerFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller | Refused {
  const claims = (event.requestContext?.authorizer?.claims ?? {}) as Record<string, unknown>;
  const username = claims['cognito:username'];
  const tenant = claims[TENANT_CLAIM];
  if (typeof username !== 'string' || username === '' || typeof tenant !== 'string' || tenant === '') {
    return refuse('Unauthorized', 'A valid IdToken is required: send Authorization: Bearer <IdToken> from GET /auth.');
  }
  return { username, tenant, groups: parseGroups(claims['cognito:groups']) };
}

/** Only third-party systems (api-callers) request pops; an instance's token is refused with Forbidden. */
export function requireApiCaller(caller: Caller | Refused): Caller | Refused {
  if (isRefused(caller)) return caller;
  if (!caller.groups.includes(API_CALLERS_GROUP)) return refusals.forbidden(`Only members of ${API_CALLERS_GROUP} may call this operation.`);
  return caller;
}

/** The api-caller an event comes from, or why it may not call. */
export const apiCallerOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller | Refused =>
  requireApiCaller(callerFromEvent(event));
