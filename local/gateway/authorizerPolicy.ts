/**
 * What API Gateway does with a REQUEST authorizer's answer: an explicit Deny or no Allow covering the method ARN
 * is 403; context values must be string, number or boolean (anything else is an authorizer error: 500).
 */
import type { AuthorizerContext } from './connections';

export type PolicyOutcome =
  | { readonly allowed: true; readonly principalId: string; readonly context: AuthorizerContext }
  | { readonly allowed: false; readonly status: 403 | 500; readonly why: string };

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM-style wildcards: `*` any run of characters, `?` one character. */
export function arnMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(arn);
}

/** The statement's Action patterns against the one action a WebSocket connect needs. */
const actionMatches = (pattern: string): boolean => arnMatches(pattern.toLowerCase(), 'execute-api:invoke');

export function evaluateAuthorizerResult(result: unknown, methodArn: string): PolicyOutcome {
  if (typeof result !== 'object' || result === null) return { allowed: false, status: 500, why: 'no result' };
  const r = result as { principalId?: unknown; policyDocument?: { Statement?: unknown }; context?: unknown };
  if (typeof r.principalId !== 'string' || r.policyDocument === undefined) {
    return { allowed: false, status: 500, why: 'result lacks principalId or policyDocument' };
  }
  const statements = asList(r.policyDocument.Statement as object | object[] | undefined) as {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
  }[];
  const covering = statements.filter(
    (s) =>
      asList(s.Action).some((a) => actionMatches(a)) && asList(s.Resource).some((res) => arnMatches(res, methodArn)),
  );
  if (covering.some((s) => s.Effect === 'Deny')) return { allowed: false, status: 403, why: 'explicit Deny' };
  if (!covering.some((s) => s.Effect === 'Allow'))
    return { allowed: false, status: 403, why: 'no Allow for the method' };

  const context: AuthorizerContext = Object.create(null) as AuthorizerContext;
  if (r.context !== undefined && r.context !== null) {
    if (typeof r.context !== 'object') return { allowed: false, status: 500, why: 'context is not an object' };
    for (const [key, value] of Object.entries(r.context)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return { allowed: false, status: 500, why: `context.${key} is not a string, number or boolean` };
      }
      context[key] = value;
    }
  }
  return { allowed: true, principalId: r.principalId, context };
}
