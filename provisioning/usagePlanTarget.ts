/**
 * Where tenants' API keys and usage plans live (provisioning/tenantKeys.ts): the REST API id, its stage and default
 * usage plan, from the stack's outputs (RestApiId, DefaultUsagePlanId, RestApiUrl) or an endpoints file (the local
 * stack's adds ApiGatewayEndpoint, its emulation of these operations: local/gateway/usagePlanApi.ts).
 */
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CommandContext } from './commands';
import { CliError, EXIT } from './errors';
import { unwrapCdkOutputs } from './target';
import type { UsagePlanTarget } from './tenantKeys';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

async function stackOutputs(context: CommandContext, stack: string): Promise<Record<string, unknown>> {
  const cloudFormation =
    context.deps?.cloudFormation?.(context.target.region) ??
    new CloudFormationClient({ region: context.target.region });
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = answer.Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue]));
  } finally {
    cloudFormation.destroy();
  }
}

function fileOutputs(context: CommandContext): Record<string, unknown> | undefined {
  const { target, io } = context;
  const file = resolve(target.endpoints ?? resolve(io.env.LOCAL_DIR || '.local', 'endpoints.json'));
  if (!existsSync(file)) return undefined;
  return unwrapCdkOutputs(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
}

/** The REST API, its stage and a client for API Gateway's control plane; its default usage plan when it has one. */
export type RestApiTarget = Omit<UsagePlanTarget, 'defaultUsagePlanId'> & { readonly defaultUsagePlanId?: string };

/** The REST API of the target, or undefined when the target names none (a pool id alone). */
export async function resolveRestApiTarget(context: CommandContext): Promise<RestApiTarget | undefined> {
  const { target } = context;
  if (target.userPoolId !== undefined) return undefined;
  const outputs = target.stack !== undefined ? await stackOutputs(context, target.stack) : fileOutputs(context);
  return restApiTargetOf(outputs ?? {}, target.region);
}

/** The REST API a stack's outputs (or an endpoints file) name, or undefined without RestApiId and RestApiUrl. */
export function restApiTargetOf(outputs: Record<string, unknown>, regionOption?: string): RestApiTarget | undefined {
  const { RestApiId, DefaultUsagePlanId, RestApiUrl, ApiGatewayEndpoint, Region } = outputs;
  if (typeof RestApiId !== 'string' || typeof RestApiUrl !== 'string') return undefined;
  const local = typeof ApiGatewayEndpoint === 'string';
  const region = regionOption ?? (typeof Region === 'string' ? Region : undefined);
  return {
    client: new APIGatewayClient({
      ...(region ? { region } : {}),
      ...(local ? { endpoint: ApiGatewayEndpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {}),
    }),
    restApiId: RestApiId,
    stage: new URL(RestApiUrl).pathname.split('/').filter(Boolean).pop() ?? '',
    ...(typeof DefaultUsagePlanId === 'string' ? { defaultUsagePlanId: DefaultUsagePlanId } : {}),
  };
}

/** The usage plan target, or undefined when the target has none (a pool id alone; a local stack without limits). */
export async function resolveUsagePlanTarget(context: CommandContext): Promise<UsagePlanTarget | undefined> {
  const api = await resolveRestApiTarget(context);
  if (api?.defaultUsagePlanId !== undefined) return { ...api, defaultUsagePlanId: api.defaultUsagePlanId };
  api?.client.destroy();
  return undefined;
}

/** The same, required: a command about limits cannot do without it. */
export async function requireUsagePlanTarget(context: CommandContext): Promise<UsagePlanTarget> {
  const found = await resolveUsagePlanTarget(context);
  if (found) return found;
  throw new CliError(
    'The target has no usage plans: give --stack or --endpoints of a stack with RestApiId and DefaultUsagePlanId ' +
      '(a deployed stack; the local stack only when started with a tenant throttle).',
    EXIT.TARGET,
  );
}
