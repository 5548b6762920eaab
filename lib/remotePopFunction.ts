import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { HandlerName } from '../lambdas/apiRoutes';
import { DEFAULT_FUNCTION_MEMORY_MB } from './functionMemory';
import { BUNDLE_ALIASES, LAZY_CREDENTIAL_PROVIDERS } from './lambdaBundling';

/** The repository root: handler entries, package-lock.json and the esbuild project root. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** How every function is bundled (the bench and the local runtime bundle with the same lists: lib/lambdaBundling.ts). */
export const LAMBDA_BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node24',
  // ESM builds of the SDK: smaller bundle, faster init (measured: 353 KB / 57 ms against 560 KB / 73 ms).
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner:
    "import { createRequire as __remotePopCreateRequire } from 'module'; const require = __remotePopCreateRequire(import.meta.url);",
  // Decision: bundle @aws-sdk/* instead of using the runtime's copy. The SDK version is then the one pinned in
  // package-lock.json (the one the tests ran against), not whatever the runtime ships that day; and the bundled
  // ESM build initialises faster than the runtime's unbundled SDK (measured: ~57 ms against ~104 ms).
  // Only the modules that never load in Lambda stay out (lib/lambdaBundling.ts).
  externalModules: [...LAZY_CREDENTIAL_PROVIDERS],
  esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([name, file]) => [`--alias:${name}`, file])),
};

export interface RemotePopFunctionProps {
  /** The handler module `lambdas/handlers/<handlerName>.ts` (export `handler`). */
  readonly handlerName: HandlerName;
  readonly logRetention: logs.RetentionDays;
  /** Of the function's log group: RETAIN in prod, DESTROY in dev. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default - none reserved */
  readonly reservedConcurrency?: number;
  /** @default DEFAULT_FUNCTION_MEMORY_MB (lib/functionMemory.ts: 256) */
  readonly memorySize?: number;
  /** @default 10 seconds (the REST integration itself gives up at 29 s) */
  readonly timeout?: Duration;
}

/**
 * One Remote Pop Lambda: Node.js 24 on arm64, bundled by esbuild as ESM with source maps, X-Ray active, its own log
 * group with a retention, and its own role that may write only to that log group until grants add more.
 *
 * The log group and role are created beside the function (`<id>LogGroup`, `<id>Role`) because the function's props
 * need them before the construct exists; no AWS managed policy is attached (cdk-nag IAM4).
 */
export class RemotePopFunction extends nodejs.NodejsFunction {
  readonly handlerName: HandlerName;
  readonly executionRole: iam.Role;
  readonly functionLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: RemotePopFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Remote Pop ${props.handlerName} function`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      entry: path.join(REPO_ROOT, 'lambdas', 'handlers', `${props.handlerName}.ts`),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: LAMBDA_BUNDLING,
    });

    this.handlerName = props.handlerName;
    this.executionRole = role;
    this.functionLogGroup = logGroup;

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by tracing: ACTIVE) use "*": X-Ray does not ' +
        'support resource-level permissions for these actions.',
    });
  }
}
