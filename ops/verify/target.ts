/**
 * Which stack `npm run verify` checks: the local stack's `$LOCAL_DIR/endpoints.json` by default, or `--outputs FILE`
 * (a `cdk deploy --outputs-file` file, or any file with the same keys). The Cognito and DynamoDB clients come from
 * the provisioning CLI's own target code (provisioning/target.ts, provisioning/tableTarget.ts), pointed at the same file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveTableTarget } from '../../provisioning/tableTarget';
import { resolveTarget, unwrapCdkOutputs, type TargetEnvironment } from '../../provisioning/target';
import type { UsagePlanTarget } from '../../provisioning/tenantKeys';
import { restApiTargetOf } from '../../provisioning/usagePlanTarget';

/** The stack under test: its URLs and the clients that provision and clean up the temporary tenant. */
export interface VerifyTarget {
  readonly restApiUrl: string;
  readonly webSocketUrl: string;
  readonly userPoolId: string;
  /** A local stack (emulators): the webhook receiver runs on this machine and the stack can reach it. */
  readonly local: boolean;
  /** For people: the REST URL and the file it came from. */
  readonly description: string;
  readonly cognito: CognitoIdentityProviderClient;
  readonly table: { readonly client: DynamoDBDocumentClient; readonly tableName: string };
  /** The stack's usage plans (limits per tenant, docs/edge.md): the temporary tenant's key goes on the default plan. */
  readonly usagePlans?: UsagePlanTarget;
  /** Closes the clients. */
  close(): void;
}

/** A command line or file the verify cannot use: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The outputs file's keys, flat (a `cdk deploy --outputs-file` file nests them under the stack's name). */
function readOutputs(file: string): Record<string, unknown> {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'not valid JSON';
    throw new UsageError(`Cannot read the outputs file ${file} (${code}).`);
  }
  if (typeof content !== 'object' || content === null) throw new UsageError(`${file} holds no outputs object.`);
  return unwrapCdkOutputs(content as Record<string, unknown>);
}

function required(outputs: Record<string, unknown>, key: string, file: string): string {
  const value = outputs[key];
  if (typeof value !== 'string' || value === '') throw new UsageError(`The outputs file ${file} has no ${key}.`);
  return value;
}

/** The stack of `--outputs FILE`, or the local stack's endpoints file (LOCAL_DIR, default `.local`). */
export async function loadVerifyTarget(outputsFile: string | undefined, env: TargetEnvironment): Promise<VerifyTarget> {
  const file = resolve(outputsFile ?? resolve(env.LOCAL_DIR || '.local', 'endpoints.json'));
  if (outputsFile === undefined && !existsSync(file)) {
    throw new UsageError(
      `No stack to verify: ${file} does not exist. Start the local stack (\`npm start\`) or pass --outputs FILE.`,
    );
  }
  const outputs = readOutputs(file);
  const restApiUrl = required(outputs, 'RestApiUrl', file).replace(/\/+$/, '');
  const webSocketUrl = required(outputs, 'WebSocketUrl', file);
  for (const key of ['UserPoolId', 'TableName']) required(outputs, key, file);
  const pool = await resolveTarget({ endpoints: file }, env);
  const table = await resolveTableTarget({ endpoints: file }, env);
  const api = restApiTargetOf(outputs, pool.region);
  const usagePlans = api?.defaultUsagePlanId ? { ...api, defaultUsagePlanId: api.defaultUsagePlanId } : undefined;
  if (!usagePlans) api?.client.destroy();
  return {
    restApiUrl,
    webSocketUrl,
    userPoolId: pool.userPoolId,
    local: pool.endpoint !== undefined,
    description: `${restApiUrl} (${outputsFile ?? file})`,
    cognito: pool.client,
    table: { client: table.client, tableName: table.tableName },
    ...(usagePlans ? { usagePlans } : {}),
    close() {
      usagePlans?.client.destroy();
      pool.client.destroy();
      table.client.destroy();
    },
  };
}
