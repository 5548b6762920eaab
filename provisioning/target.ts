import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CliError, EXIT } from './errors';

/** The command-line options that choose the user pool. At most one of endpoints, stack, userPoolId. */
export interface TargetOptions {
  readonly endpoints?: string;
  readonly stack?: string;
  readonly userPoolId?: string;
  readonly region?: string;
}

/** A user pool and a Cognito client for it. */
export interface Target {
  readonly userPoolId: string;
  readonly region: string;
  /** Set for the local stack (cognito-local); AWS's own endpoint otherwise. */
  readonly endpoint?: string;
  /** For people: `user pool X in R (local stack, .local/endpoints.json)`. */
  readonly description: string;
  readonly client: CognitoIdentityProviderClient;
}

/** The output key a deployed stack and the local stack's endpoints.json both use. */
export const USER_POOL_OUTPUT = 'UserPoolId';
/** Real Cognito pool ids start with their region: `eu-west-1_AbC123`. */
const REGIONAL_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;
const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;
/** The emulator checks no signature, but the SDK signs every request: any fixed pair will do. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface TargetEnvironment {
  readonly LOCAL_DIR?: string;
  readonly AWS_REGION?: string;
  readonly AWS_DEFAULT_REGION?: string;
}

/** Seams for tests; each defaults to the real SDK client. */
export interface TargetDependencies {
  readonly cloudFormation?: (region: string | undefined) => CloudFormationClient;
  readonly cognito?: (config: { region: string; endpoint?: string; local: boolean }) => CognitoIdentityProviderClient;
  /** The table's client for the `webhooks` commands (tableTarget.ts). */
  readonly dynamo?: (config: { region?: string; endpoint?: string }) => DynamoDBDocumentClient;
}

function makeCognito(config: { region: string; endpoint?: string; local: boolean }): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: config.region,
    ...(config.local ? { endpoint: config.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {}),
  });
}

/**
 * Choose the user pool: `--endpoints FILE`, `--stack NAME`, `--user-pool-id ID`, or else the local stack's
 * `$LOCAL_DIR/endpoints.json` (LOCAL_DIR defaults to `.local`, relative to the current directory).
 */
export async function resolveTarget(
  options: TargetOptions,
  env: TargetEnvironment = process.env,
  deps: TargetDependencies = {},
): Promise<Target> {
  const cognito = deps.cognito ?? makeCognito;
  const chosen = (['endpoints', 'stack', 'userPoolId'] as const).filter((key) => options[key] !== undefined);
  if (chosen.length > 1) {
    throw new CliError('Choose one target: --endpoints, --stack or --user-pool-id.', EXIT.USAGE);
  }
  if (options.stack !== undefined) {
    return fromStack(options.stack, options.region, deps, cognito);
  }
  if (options.userPoolId !== undefined) {
    return fromUserPoolId(options.userPoolId, options.region ?? regionFromEnv(env), cognito);
  }
  if (options.region !== undefined) {
    throw new CliError('--region applies only with --stack or --user-pool-id.', EXIT.USAGE);
  }
  if (options.endpoints !== undefined) {
    return fromEndpointsFile(resolve(options.endpoints), options.endpoints, env, cognito);
  }
  const localDir = env.LOCAL_DIR || '.local';
  const localFile = resolve(localDir, 'endpoints.json');
  if (!existsSync(localFile)) {
    throw new CliError(
      `No target: ${localFile} does not exist. Start the local stack (\`npm start\`), or choose a deployed ` +
        'stack with --stack NAME [--region R] or --user-pool-id ID [--region R], or pass --endpoints FILE.',
      EXIT.TARGET,
    );
  }
  return fromEndpointsFile(localFile, `${localDir}/endpoints.json`, env, cognito);
}

function regionFromEnv(env: TargetEnvironment): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/**
 * `cdk deploy --outputs-file F` writes `{"<StackName>": {"UserPoolId": ...}}`: accept that too, when one stack
 * in it has the output.
 */
export function unwrapCdkOutputs(content: Record<string, unknown>): Record<string, unknown> {
  if (typeof content !== 'object' || content === null || USER_POOL_OUTPUT in content) return content;
  const stacks = Object.values(content).filter(
    (value): value is Record<string, unknown> =>
      typeof value === 'object' && value !== null && USER_POOL_OUTPUT in value,
  );
  return stacks.length === 1 ? stacks[0]! : content;
}

function fromEndpointsFile(
  file: string,
  shown: string,
  env: TargetEnvironment,
  cognito: NonNullable<TargetDependencies['cognito']>,
): Target {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read the endpoints file ${file} (${code ?? 'error'}).`, EXIT.TARGET);
  }
  let endpoints: Record<string, unknown>;
  try {
    endpoints = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new CliError(`The endpoints file ${file} is not valid JSON.`, EXIT.TARGET);
  }
  endpoints = unwrapCdkOutputs(endpoints);
  const userPoolId = typeof endpoints === 'object' && endpoints !== null ? endpoints[USER_POOL_OUTPUT] : undefined;
  if (typeof userPoolId !== 'string' || !userPoolId) {
    throw new CliError(`The endpoints file ${file} has no ${USER_POOL_OUTPUT}.`, EXIT.TARGET);
  }
  const endpoint = typeof endpoints.CognitoEndpoint === 'string' ? endpoints.CognitoEndpoint : undefined;
  const region =
    (typeof endpoints.Region === 'string' && endpoints.Region) ||
    REGIONAL_POOL_ID.exec(userPoolId)?.[1] ||
    regionFromEnv(env) ||
    'us-east-1';
  const where = endpoint ? `local stack at ${endpoint}, ${shown}` : shown;
  return {
    userPoolId,
    region,
    endpoint,
    description: `user pool ${userPoolId} (${where})`,
    client: cognito({ region, endpoint, local: endpoint !== undefined }),
  };
}

function fromUserPoolId(
  userPoolId: string,
  regionOption: string | undefined,
  cognito: NonNullable<TargetDependencies['cognito']>,
): Target {
  if (!POOL_ID.test(userPoolId)) {
    throw new CliError(`"${userPoolId}" is not a user pool id (such as eu-west-1_AbC123).`, EXIT.INVALID_INPUT);
  }
  const region = regionOption ?? REGIONAL_POOL_ID.exec(userPoolId)?.[1];
  if (!region) {
    throw new CliError('No AWS region: pass --region or set AWS_REGION.', EXIT.TARGET);
  }
  return {
    userPoolId,
    region,
    description: `user pool ${userPoolId} in ${region}`,
    client: cognito({ region, local: false }),
  };
}

async function fromStack(
  stackName: string,
  regionOption: string | undefined,
  deps: TargetDependencies,
  cognito: NonNullable<TargetDependencies['cognito']>,
): Promise<Target> {
  const cloudFormation = deps.cloudFormation?.(regionOption) ?? new CloudFormationClient({ region: regionOption });
  let region: string;
  try {
    region = await cloudFormation.config.region();
  } catch {
    throw new CliError('No AWS region: pass --region or set AWS_REGION.', EXIT.TARGET);
  }
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    const err = error as { name?: string; message?: string };
    if (err.name === 'ValidationError' && /does not exist/i.test(err.message ?? '')) {
      throw new CliError(`Stack "${stackName}" does not exist in ${region}. Check --stack and --region.`, EXIT.TARGET);
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
  const userPoolId = outputs.find((output) => output.OutputKey === USER_POOL_OUTPUT)?.OutputValue;
  if (!userPoolId) {
    const keys = outputs.map((output) => output.OutputKey).join(', ') || 'none';
    throw new CliError(
      `Stack "${stackName}" in ${region} has no ${USER_POOL_OUTPUT} output (outputs: ${keys}). Is it a Remote Pop stack?`,
      EXIT.TARGET,
    );
  }
  return {
    userPoolId,
    region,
    description: `user pool ${userPoolId} in ${region} (stack ${stackName})`,
    client: cognito({ region, local: false }),
  };
}
