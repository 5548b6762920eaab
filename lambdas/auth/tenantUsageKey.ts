/**
 * The value of a tenant's API Gateway API key, the usage identifier key the REST authorizer returns
 * (lambdas/auth/restAuthorizer.ts) so that API Gateway throttles the tenant on the key's usage plan (docs/edge.md).
 *
 * Derived from the REST API's id and the tenant, so the authorizer needs no lookup per request and the provisioning CLI
 * creates the same value. It is not a secret: the API's key source is the authorizer (`apiKeySource: AUTHORIZER`), so
 * API Gateway never reads an `x-api-key` header and a caller cannot present any key, its own or another tenant's.
 * The API id keeps two stacks in one account apart (key values are unique per account and region).
 */
import { TENANT_PATTERN } from '../shared/identity';

const PREFIX = 'remote-pop-';

/** 24 to 85 characters (API Gateway wants at least 20): `remote-pop-<apiId>-<tenant>`. */
export function tenantUsageKey(restApiId: string, tenant: string): string {
  if (!TENANT_PATTERN.test(tenant)) throw new Error(`Invalid tenant "${tenant}"`);
  if (!/^[a-z0-9]{1,16}$/i.test(restApiId)) throw new Error(`Invalid REST API id "${restApiId}"`);
  return `${PREFIX}${restApiId}-${tenant}`;
}

/** The REST API id of a method ARN: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. */
export function restApiIdOf(methodArn: string): string | undefined {
  const resource = methodArn.split(':')[5];
  const apiId = resource?.split('/')[0];
  return apiId && apiId !== '' ? apiId : undefined;
}

/** Every method of the ARN's stage: the policy a cached authorizer answer must cover (API Gateway reuses it). */
export function stageWildcardArn(methodArn: string): string {
  const [arn, stage] = methodArn.split('/');
  return `${arn}/${stage}/*`;
}
