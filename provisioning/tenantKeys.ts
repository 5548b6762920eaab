/**
 * Limits per tenant (docs/edge.md): each tenant has one API key, whose value derives from the REST API's id and the
 * tenant (lambdas/auth/tenantUsageKey.ts: the REST authorizer names it without a lookup), on the stack's default usage
 * plan, or on a plan of its own when an operator gives it other limits. Through the real API Gateway client: AWS's
 * control plane, or the local gateway's emulation of these operations (local/gateway/usagePlanApi.ts).
 */
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
  UpdateUsagePlanCommand,
  type APIGatewayClient,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import { tenantUsageKey } from '../lambdas/auth/tenantUsageKey';

/** The REST API and stage whose tenants these are, and its default plan (stack outputs RestApiId, DefaultUsagePlanId). */
export interface UsagePlanTarget {
  readonly client: APIGatewayClient;
  readonly restApiId: string;
  readonly stage: string;
  readonly defaultUsagePlanId: string;
}

export interface TenantLimits {
  readonly rate: number;
  readonly burst: number;
}

/** Where a tenant stands: its key, the plan it is on, that plan's limits. */
export interface TenantPlan {
  readonly tenant: string;
  readonly keyId: string;
  /** Undefined: the key is on no plan of the stage (the tenant's calls are refused 403). */
  readonly planId?: string;
  readonly own: boolean;
  readonly limits?: TenantLimits;
}

/** The key's name: the tenant, under the API, so an operator reads it in the console. */
const keyName = (target: UsagePlanTarget, tenant: string) => `remote-pop-${target.restApiId}-${tenant}`;
const ownPlanName = (target: UsagePlanTarget, tenant: string) => `remote-pop-${target.restApiId}-tenant-${tenant}`;

async function findKeyId(target: UsagePlanTarget, tenant: string): Promise<string | undefined> {
  const value = tenantUsageKey(target.restApiId, tenant);
  const answer = await target.client.send(
    new GetApiKeysCommand({ nameQuery: keyName(target, tenant), includeValues: true, limit: 500 }),
  );
  return answer.items?.find((key) => key.value === value)?.id;
}

/** The plan of this stage the key is on (at most one: API Gateway refuses a second for the same stage). */
async function planOfKey(target: UsagePlanTarget, keyId: string): Promise<UsagePlan | undefined> {
  const answer = await target.client.send(new GetUsagePlansCommand({ keyId, limit: 500 }));
  return answer.items?.find((plan) =>
    plan.apiStages?.some((s) => s.apiId === target.restApiId && s.stage === target.stage),
  );
}

const limitsOf = (plan: UsagePlan): TenantLimits | undefined =>
  plan.throttle?.rateLimit !== undefined && plan.throttle.burstLimit !== undefined
    ? { rate: plan.throttle.rateLimit, burst: plan.throttle.burstLimit }
    : undefined;

function tenantPlan(target: UsagePlanTarget, tenant: string, keyId: string, plan?: UsagePlan): TenantPlan {
  const limits = plan ? limitsOf(plan) : undefined;
  return {
    tenant,
    keyId,
    ...(plan?.id ? { planId: plan.id } : {}),
    own: plan?.id !== undefined && plan.id !== target.defaultUsagePlanId,
    ...(limits ? { limits } : {}),
  };
}

/** The tenant's key, created (enabled) if missing, and on the default plan if on none: idempotent. */
export async function ensureTenantKey(target: UsagePlanTarget, tenant: string): Promise<TenantPlan> {
  let keyId = await findKeyId(target, tenant);
  if (keyId === undefined) {
    const created = await target.client.send(
      new CreateApiKeyCommand({
        name: keyName(target, tenant),
        value: tenantUsageKey(target.restApiId, tenant),
        enabled: true,
        description: `Remote Pop tenant ${tenant}: its usage plan sets its limits (docs/edge.md)`,
      }),
    );
    keyId = created.id!;
  }
  let plan = await planOfKey(target, keyId);
  if (!plan) {
    await target.client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: target.defaultUsagePlanId, keyId, keyType: 'API_KEY' }),
    );
    plan = await planOfKey(target, keyId);
  }
  return tenantPlan(target, tenant, keyId, plan);
}

/** Where the tenant stands, or undefined when it has no key yet. */
export async function showTenantPlan(target: UsagePlanTarget, tenant: string): Promise<TenantPlan | undefined> {
  const keyId = await findKeyId(target, tenant);
  return keyId === undefined ? undefined : tenantPlan(target, tenant, keyId, await planOfKey(target, keyId));
}

/** Moves the key from one plan to another: off the old first (API Gateway allows one plan per stage), back on failure. */
async function moveKey(target: UsagePlanTarget, keyId: string, from: string, to: string): Promise<void> {
  await target.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: from, keyId }));
  try {
    await target.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: to, keyId, keyType: 'API_KEY' }));
  } catch (error) {
    await target.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: from, keyId, keyType: 'API_KEY' }));
    throw error;
  }
}

/** Gives the tenant its own limits: its own plan, created or updated; takes effect without a deploy. */
export async function setTenantLimits(
  target: UsagePlanTarget,
  tenant: string,
  limits: TenantLimits,
): Promise<TenantPlan> {
  const current = await ensureTenantKey(target, tenant);
  if (current.own && current.planId) {
    await target.client.send(
      new UpdateUsagePlanCommand({
        usagePlanId: current.planId,
        patchOperations: [
          { op: 'replace', path: '/throttle/rateLimit', value: String(limits.rate) },
          { op: 'replace', path: '/throttle/burstLimit', value: String(limits.burst) },
        ],
      }),
    );
  } else {
    const plan = await target.client.send(
      new CreateUsagePlanCommand({
        name: ownPlanName(target, tenant),
        description: `Remote Pop tenant ${tenant}: limits set by an operator (provisioning CLI: tenant limits)`,
        apiStages: [{ apiId: target.restApiId, stage: target.stage }],
        throttle: { rateLimit: limits.rate, burstLimit: limits.burst },
      }),
    );
    await moveKey(target, current.keyId, current.planId ?? target.defaultUsagePlanId, plan.id!);
  }
  return (await showTenantPlan(target, tenant))!;
}

/** Puts the tenant back on the default plan and deletes its own plan. */
export async function resetTenantLimits(target: UsagePlanTarget, tenant: string): Promise<TenantPlan> {
  const current = await ensureTenantKey(target, tenant);
  if (current.own && current.planId) {
    await moveKey(target, current.keyId, current.planId, target.defaultUsagePlanId);
    await target.client.send(new DeleteUsagePlanCommand({ usagePlanId: current.planId }));
  }
  return (await showTenantPlan(target, tenant))!;
}

/** Removes the tenant's key (off its plan first) and its own plan if it had one: a temporary tenant's clean-up. */
export async function removeTenantKey(target: UsagePlanTarget, tenant: string): Promise<void> {
  const current = await showTenantPlan(target, tenant);
  if (!current) return;
  if (current.planId) {
    await target.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: current.planId, keyId: current.keyId }));
    if (current.own) await target.client.send(new DeleteUsagePlanCommand({ usagePlanId: current.planId }));
  }
  await target.client.send(new DeleteApiKeyCommand({ apiKey: current.keyId }));
}
