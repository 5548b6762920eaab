/**
 * `tenant keys` and `tenant limits`: each tenant's API key on a usage plan, the per-tenant limits (docs/edge.md).
 * A new user's tenant gets its key in `user create` already; `tenant keys --all` is the step for tenants provisioned
 * before limits per tenant existed (their calls are refused 403 until their key is on a plan).
 */
import type { CommandContext } from './commands';
import { CliError, EXIT } from './errors';
import { requireUsagePlanTarget, resolveUsagePlanTarget } from './usagePlanTarget';
import {
  ensureTenantKey,
  resetTenantLimits,
  setTenantLimits,
  showTenantPlan,
  type TenantPlan,
  type UsagePlanTarget,
} from './tenantKeys';
import { checkUserSpec } from './tenantUsers';
import { resolveTarget } from './target';
import { UserDirectory } from './userDirectory';

/** One line for a person. */
export function planLine(plan: TenantPlan): string {
  const limits = plan.limits ? `${plan.limits.rate} requests/s, burst ${plan.limits.burst}` : 'no throttle';
  if (!plan.planId)
    return `Tenant "${plan.tenant}": API key ${plan.keyId} is on no usage plan (its calls are refused).`;
  const which = plan.own ? `its own usage plan ${plan.planId}` : `the default usage plan ${plan.planId}`;
  return `Tenant "${plan.tenant}": ${which}, ${limits}.`;
}

/** Every tenant the user pool has users of (for `tenant keys --all`). */
async function tenantsOfPool(context: CommandContext): Promise<string[]> {
  const target = await resolveTarget(context.target, context.io.env, context.deps);
  try {
    const users = await new UserDirectory(target.client, target.userPoolId).list({});
    return [...new Set(users.flatMap((u) => (u.tenant ? [u.tenant] : [])))].sort();
  } finally {
    target.client.destroy();
  }
}

async function withPlans<T>(context: CommandContext, act: (target: UsagePlanTarget) => Promise<T>): Promise<T> {
  const target = await requireUsagePlanTarget(context);
  try {
    return await act(target);
  } finally {
    target.client.destroy();
  }
}

export async function tenantKeys(options: { tenant?: string; all?: boolean }, context: CommandContext): Promise<void> {
  if ((options.tenant === undefined) === !options.all) throw new CliError('Give --tenant T or --all.', EXIT.USAGE);
  if (options.tenant !== undefined) checkUserSpec({ tenant: options.tenant, username: 'x' });
  const tenants = options.tenant !== undefined ? [options.tenant] : await tenantsOfPool(context);
  await withPlans(context, async (target) => {
    for (const tenant of tenants) context.io.out(planLine(await ensureTenantKey(target, tenant)));
    if (tenants.length === 0) context.io.out('No tenants in the user pool.');
  });
}

export interface LimitsOptions {
  readonly tenant: string;
  readonly rate?: string;
  readonly burst?: string;
  readonly reset?: boolean;
  readonly json?: boolean;
}

/** A positive number (rate) or a positive integer (burst) within API Gateway's account defaults. */
function limitOf(name: string, raw: string, integer: boolean): number {
  const value = Number(raw);
  const ok = Number.isFinite(value) && value > 0 && value <= (integer ? 5000 : 10_000);
  if (!ok || (integer && !Number.isInteger(value)))
    throw new CliError(
      `--${name} must be ${integer ? 'an integer from 1 to 5000' : 'above 0, at most 10000'}.`,
      EXIT.INVALID_INPUT,
    );
  return value;
}

export async function tenantLimits(options: LimitsOptions, context: CommandContext): Promise<void> {
  checkUserSpec({ tenant: options.tenant, username: 'x' });
  const setting = options.rate !== undefined || options.burst !== undefined;
  if (setting && (options.rate === undefined || options.burst === undefined))
    throw new CliError('Give both --rate and --burst.', EXIT.USAGE);
  if (setting && options.reset) throw new CliError('Give --rate and --burst, or --reset, not both.', EXIT.USAGE);
  const limits = setting
    ? { rate: limitOf('rate', options.rate!, false), burst: limitOf('burst', options.burst!, true) }
    : undefined;
  const plan = await withPlans(context, async (target) => {
    if (limits) return setTenantLimits(target, options.tenant, limits);
    if (options.reset) return resetTenantLimits(target, options.tenant);
    return showTenantPlan(target, options.tenant);
  });
  if (options.json) return context.io.out(JSON.stringify(plan ?? null));
  context.io.out(
    plan
      ? planLine(plan)
      : `Tenant "${options.tenant}" has no API key yet: run tenant keys --tenant ${options.tenant}.`,
  );
}

/** After `user create`: the tenant's key on the default plan when the target has usage plans; a line to print. */
export async function keyForNewUser(context: CommandContext, tenant: string): Promise<string | undefined> {
  const target = await resolveUsagePlanTarget(context);
  if (!target) return undefined;
  try {
    return planLine(await ensureTenantKey(target, tenant));
  } finally {
    target.client.destroy();
  }
}
