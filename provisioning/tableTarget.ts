/**
 * The table the `webhooks` commands read and write, chosen like the user pool of target.ts: `--endpoints FILE`
 * (TableName, Region, and DynamoDbEndpoint when local), `--stack NAME` (its TableName output), `--table NAME`, or else
 * the local stack's `$LOCAL_DIR/endpoints.json`.
 */
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CliError, EXIT } from './errors';
import type { TargetDependencies, TargetEnvironment } from './target';

export interface TableTargetOptions {
  readonly endpoints?: string;
  readonly stack?: string;
  readonly table?: string;
  readonly region?: string;
}

export interface TableTarget {
  readonly tableName: string;
  /** Set for the local stack (its DynamoDB emulator). */
  readonly endpoint?: string;
  readonly description: string;
  readonly client: DynamoDBDocumentClient;
}

export const TABLE_OUTPUT = 'TableName';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function makeDynamo(config: { region?: string; endpoint?: string }): DynamoDBDocumentClient {
  const local =
    config.endpoint !== undefined ? { endpoint: config.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {};
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region, ...local }));
}

export async function resolveTableTarget(
  options: TableTargetOptions,
  env: TargetEnvironment = process.env,
  deps: TargetDependencies = {},
): Promise<TableTarget> {
  const dynamo = deps.dynamo ?? makeDynamo;
  const chosen = (['endpoints', 'stack', 'table'] as const).filter((key) => options[key] !== undefined);
  if (chosen.length > 1) throw new CliError('Choose one target: --endpoints, --stack or --table.', EXIT.USAGE);
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  if (options.table !== undefined) {
    return { tableName: options.table, description: `table ${options.table}`, client: dynamo({ region }) };
  }
  if (options.stack !== undefined) {
    const tableName = await stackTable(options.stack, options.region, deps);
    return { tableName, description: `table ${tableName} (stack ${options.stack})`, client: dynamo({ region }) };
  }
  if (options.region !== undefined) throw new CliError('--region applies only with --stack or --table.', EXIT.USAGE);
  const localDir = env.LOCAL_DIR || '.local';
  const file = resolve(options.endpoints ?? resolve(localDir, 'endpoints.json'));
  if (options.endpoints === undefined && !existsSync(file)) {
    throw new CliError(
      `No target: ${file} does not exist. Start the local stack (\`npm start\`), or choose --stack NAME, --table NAME ` +
        'or --endpoints FILE.',
      EXIT.TARGET,
    );
  }
  return fromEndpointsFile(file, options.endpoints ?? `${localDir}/endpoints.json`, env, dynamo);
}

function fromEndpointsFile(
  file: string,
  shown: string,
  env: TargetEnvironment,
  dynamo: NonNullable<TargetDependencies['dynamo']>,
): TableTarget {
  let content: Record<string, unknown>;
  try {
    content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read the endpoints file ${file} (${code ?? 'not valid JSON'}).`, EXIT.TARGET);
  }
  // `cdk deploy --outputs-file` nests the outputs under the stack's name.
  const stacks = Object.values(content ?? {}).filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && TABLE_OUTPUT in v,
  );
  const outputs = content && TABLE_OUTPUT in content ? content : stacks.length === 1 ? stacks[0]! : {};
  const tableName = outputs[TABLE_OUTPUT];
  if (typeof tableName !== 'string' || !tableName)
    throw new CliError(`The endpoints file ${file} has no ${TABLE_OUTPUT}.`, EXIT.TARGET);
  const endpoint = typeof outputs.DynamoDbEndpoint === 'string' ? outputs.DynamoDbEndpoint : undefined;
  const region =
    (typeof outputs.Region === 'string' && outputs.Region) || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const where = endpoint ? `local stack at ${endpoint}, ${shown}` : shown;
  return { tableName, endpoint, description: `table ${tableName} (${where})`, client: dynamo({ region, endpoint }) };
}

async function stackTable(stackName: string, region: string | undefined, deps: TargetDependencies): Promise<string> {
  const cloudFormation = deps.cloudFormation?.(region) ?? new CloudFormationClient({ region });
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const tableName = answer.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === TABLE_OUTPUT)?.OutputValue;
    if (!tableName)
      throw new CliError(`Stack "${stackName}" has no ${TABLE_OUTPUT} output. Is it a Remote Pop stack?`, EXIT.TARGET);
    return tableName;
  } catch (error) {
    const err = error as { name?: string; message?: string };
    if (err.name === 'ValidationError' && /does not exist/i.test(err.message ?? '')) {
      throw new CliError(`Stack "${stackName}" does not exist. Check --stack and --region.`, EXIT.TARGET);
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
}
