/**
 * The whole system on this machine: emulators, provisioning, the local gateway with the real handlers, and
 * (optionally) the demo Scripting instance. `npm start` runs `startLocalStack` in its own process; the e2e harness
 * and the bench run it in a child process through `launchStack` (launcher.ts, stackProcess.ts).
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { startCognitoLocal, startDynalite, type DynaliteHandle, type EmulatorHandle } from './emulators';
import {
  lambdaHandlers,
  startGateway,
  type EnvironmentSettings,
  type FunctionRuntimeMode,
  type LocalGateway,
} from './gateway';
import type { LambdaHandlersConfig } from './gateway/lambdaRuntime';
import { consoleLog, type GatewayLog } from './gateway/log';
import type { ThrottleSettings } from './gateway/throttle';
import { startConsole } from './console/server';
import { launchChild, PROJECT_ROOT } from './launcher';
import { assertPortFree } from './ports';
import { forgetEarlierConnections } from './earlierConnections';
import { fillOwnPorts, ownPortsOf } from './ownPorts';
import { startTableStream, type TableStream } from './streams/tableStream';
import { startWebhookQueue, type WebhookQueue } from './queue/webhookQueue';
import { startHoldQueue, type HoldQueue } from './queue/holdQueue';
import { startLocalKms, type LocalKms } from './kms/kmsServer';
import { DEFAULT_RETRY_SECONDS } from '../lambdas/webhooks/backoff';
import {
  cognitoClient,
  createTable,
  createUserPool,
  existingUserPool,
  dynamoDbClient,
  LOCAL_CREDENTIALS,
  seedDemoTenant,
  type DemoCredentials,
  type ProvisionedUserPool,
} from './provision';

export { PROJECT_ROOT };

/** The same keys as the deployed stack's outputs, plus the emulators' endpoints. */
export interface LocalEndpoints {
  readonly RestApiUrl: string;
  readonly WebSocketUrl: string;
  readonly UserPoolId: string;
  readonly UserPoolClientId: string;
  readonly TableName: string;
  readonly Region: string;
  readonly CognitoEndpoint: string;
  readonly DynamoDbEndpoint: string;
  /** The local console (with `startConsole`): local/console/. */
  readonly ConsoleUrl?: string;
  /** The demo instance's Desktop page (with `startDemoInstance` and a control port): instance/desktopPage/. */
  readonly DesktopUrl?: string;
  /** The emulated webhook delivery queue and its dead-letter queue (local/queue/), for any SQS client. */
  readonly WebhookQueueUrl?: string;
  readonly WebhookDeadLetterQueueUrl?: string;
  /** The stream's on-failure queue (lib/eventPipeline.ts) and the DynamoDB Streams API (local/streams/streamsApi.ts). */
  readonly StreamFailureQueueUrl?: string;
  /** The REST API's id, its usage plan control plane and default plan (with `tenantThrottle`), as the stack's outputs. */
  readonly RestApiId?: string;
  readonly ApiGatewayEndpoint?: string;
  readonly DefaultUsagePlanId?: string;
  readonly DynamoDbStreamsEndpoint?: string;
  /** The KMS emulation holding the webhook secrets' key (local/kms/). */
  readonly KmsEndpoint?: string;
}

export interface LocalStackPorts {
  /** REST API. @default 3000 */
  readonly rest?: number;
  /** WebSocket API and `@connections`. @default 3001 */
  readonly ws?: number;
  /** @default 9229 */
  readonly cognito?: number;
  /** @default 4567 */
  readonly dynamoDb?: number;
  /** The local console. @default 3002 */
  readonly console?: number;
  /** The demo instance's control surface and Desktop page (0: none). @default 4100 */
  readonly control?: number;
}

export interface LocalStackOptions {
  /** 0 picks a free port. */
  readonly ports?: LocalStackPorts;
  /** State, logs, endpoints.json, instance.json. @default '.local' (relative to the current directory) */
  readonly localDir?: string;
  /** @default 60 */
  readonly idTokenValidityMinutes?: number;
  /** Record claim window. @default 60 */
  readonly claimWindowSeconds?: number;
  /**
   * Serve from this existing table (a restored copy: ops/restore/copyTable.ts), as the deployed stack's
   * `adoptTableName`; it is not created. @default TABLE_NAME, created on first start
   */
  readonly tableName?: string;
  /** @default 30 */
  readonly popRetentionDays?: number;
  /** The webhook back-off in seconds (WEBHOOK_RETRY_SECONDS); tests shorten it. @default DEFAULT_RETRY_SECONDS (lambdas/webhooks/backoff.ts) */
  readonly webhookRetrySeconds?: readonly number[];
  /** Seconds of webhook back-off per real second (local/queue/messageQueue.ts); tests run the real schedule faster. @default 1 */
  readonly webhookTimeScale?: number;
  /**
   * Keep DynamoDB's data, the stream's unhandled records and the webhook queues here, so a restart over the same
   * folder loses no event (local/README.md), and cognito-local keeps its users there too. In memory when absent.
   */
  readonly dataDir?: string;
  /** Start instance/main.ts with `$LOCAL_DIR/instance.json` when it exists. @default false */
  readonly startDemoInstance?: boolean;
  /** Serve the local console (local/console/server.ts) on 127.0.0.1. @default false */
  readonly startConsole?: boolean;
  /** Serve `/__local/` test hooks on the WebSocket port. @default false */
  readonly testHooks?: boolean;
  readonly stage?: string;
  readonly region?: string;
  readonly throttle?: ThrottleSettings;
  /** The default usage plan's throttle per tenant; with it every tenant needs its API key (local/gateway/index.ts). */
  readonly tenantThrottle?: ThrottleSettings;
  /** The bench's baseline: the Cognito authorizer in the gateway (local/gateway/index.ts). @default 'lambda' */
  readonly restAuthorizer?: 'lambda' | 'cognito';
  readonly bodyLimitBytes?: number;
  /**
   * `environments`: each function in Lambda-like execution environments (worker threads, gateway/environments.ts);
   * `inProcess`: every handler in the gateway's event loop (the old mode, kept for the bench's comparison).
   * @default 'environments'
   */
  readonly runtime?: FunctionRuntimeMode;
  /** Timeouts, concurrency limits, idle period of the environments. */
  readonly environments?: EnvironmentSettings;
  /** Per function, a module exporting `HANDLER_FACTORIES` to build it from instead of lambdas/handlerFactories.ts (tests' fixtures; environments only). */
  readonly factoryModules?: LambdaHandlersConfig['factoryModules'];
  readonly log?: GatewayLog;
}

/** Test hooks for fault tests (only with `testHooks: true`): dependencies go down and come back on the same ports. */
export interface LocalStackFaults {
  /** DynamoDB stops answering (connection refused); its data is kept. */
  stopDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  /** The Cognito emulator process stops; its state (users) is kept on disk. */
  stopCognito(): Promise<void>;
  startCognito(): Promise<void>;
  /** `@connections` POSTs wait this long before delivering (0: at once). */
  setManagementDelay(ms: number): void;
  /** The next `count` invocations of the stream function fail, as a crashed function would (local/streams/). */
  failStreamInvocations(count: number): void;
}

export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  readonly demo: DemoCredentials;
  readonly localDir: string;
  readonly gateway: Pick<LocalGateway, 'dropConnection' | 'connectionIds' | 'connectionsEndpoint'>;
  /** Why the demo instance did not start, when it did not. */
  readonly demoInstanceNote?: string;
  /** Present with `testHooks: true`. */
  readonly faults?: LocalStackFaults;
  stop(): Promise<void>;
}

export const TABLE_NAME = 'remote-pop-local';

/** An adopted table (`tableName`) must be there: the stack does not create it. */
async function assertTableExists(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    throw new Error(`The table "${tableName}" to serve from does not exist (restore it first: ops/README.md)`);
  }
}

/** Demo Scripting instance configuration, read by instance/main.ts. */
export function demoInstanceConfig(endpoints: LocalEndpoints, demo: DemoCredentials, controlPort = 0) {
  return {
    controlPort,
    authUrl: `${endpoints.RestApiUrl}/auth`,
    webSocketUrl: endpoints.WebSocketUrl,
    username: demo.instance.username,
    password: demo.instance.password,
    instanceName: 'demo-instance',
    plugin: { enabled: true },
    licence: { type: 'PerSystem' },
    campaigns: [
      {
        name: 'Sales',
        type: 'external',
        active: true,
        allowRecordCreation: true,
        workflow: 'Sales Call',
        externalLinks: {
          'Contact Name': { field: 'ContactName' },
          var_ContactReason: { variable: 'ContactReason' },
        },
      },
    ],
    agents: ['agent1'],
  };
}

/** Undo steps, run last first; a failing step is logged and the others still run. */
class Cleanups {
  private readonly steps: (() => Promise<void>)[] = [];

  constructor(private readonly log: GatewayLog) {}

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async runAll(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((error) => this.log.error(`stop: ${(error as Error).message}`));
    }
  }
}

interface Emulators {
  readonly cognito: EmulatorHandle;
  readonly dynamo: DynaliteHandle;
  /** cognito-local's working folder (its state, plaintext passwords included). */
  readonly cognitoDir: string;
}

/**
 * cognito-local and dynalite. One rule for both: with a data folder (`npm start`: LOCAL_DATA_DIR, by default
 * `$LOCAL_DIR/data`) both keep their state across restarts, users and groups with the table; without one both start
 * empty (cognito-local's files in `$LOCAL_DIR/cognito`, removed first; dynalite in memory).
 */
async function startEmulators(
  localDir: string,
  ports: LocalStackPorts,
  cleanups: Cleanups,
  dataDir?: string,
): Promise<Emulators> {
  // Owner-only when created here; an existing folder keeps its mode (LOCAL_DIR may be one the user chose), and the
  // secrets inside it are owner-only each (cognito/, instance.json, demo.env, the logs).
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  const cognitoDir = dataDir ? path.join(dataDir, 'cognito') : path.join(localDir, 'cognito');
  if (dataDir) mkdirSync(cognitoDir, { recursive: true, mode: 0o700 });
  else rmSync(cognitoDir, { recursive: true, force: true });
  const [cognito, dynamo] = await Promise.all([
    startCognitoLocal({ port: ports.cognito ?? 9229, dir: cognitoDir }).then((handle) => {
      cleanups.add(handle.stop);
      return handle;
    }),
    startDynalite({ port: ports.dynamoDb ?? 4567, ...(dataDir ? { path: path.join(dataDir, 'dynamodb') } : {}) }).then(
      (handle) => {
        cleanups.add(handle.stop);
        return handle;
      },
    ),
  ]);
  return { cognito, dynamo, cognitoDir };
}

/** The user pool, app client, groups and table, as the CDK stack creates them, and the demo tenant's two users. */
async function provisionEmulators(
  emulators: Emulators,
  region: string,
  options: LocalStackOptions,
  cleanups: Cleanups,
): Promise<{ readonly pool: ProvisionedUserPool; readonly demo: DemoCredentials }> {
  const cognitoSdk = cognitoClient(emulators.cognito.endpoint, region);
  const dynamoSdk = dynamoDbClient(emulators.dynamo.endpoint, region);
  cleanups.add(async () => {
    cognitoSdk.destroy();
    dynamoSdk.destroy();
  });
  const poolOptions = options.idTokenValidityMinutes ? { idTokenValidityMinutes: options.idTokenValidityMinutes } : {};
  const [pool] = await Promise.all([
    // A data folder from an earlier start already holds the pool, its users and groups (startEmulators).
    (options.dataDir ? existingUserPool(cognitoSdk, poolOptions) : Promise.resolve(undefined)).then(
      (kept) => kept ?? createUserPool(cognitoSdk, poolOptions),
    ),
    options.tableName !== undefined
      ? assertTableExists(dynamoSdk, options.tableName)
      : // A data folder from an earlier start already holds the table.
        createTable(dynamoSdk, TABLE_NAME).catch((error: Error) => {
          if (!(options.dataDir && error.name === 'ResourceInUseException')) throw error;
        }),
  ]);
  // The connections of an earlier run over the same data died with its gateway (local/earlierConnections.ts).
  if (options.dataDir) await forgetEarlierConnections(dynamoSdk, options.tableName ?? TABLE_NAME);
  const demo = await seedDemoTenant(cognitoSdk, pool.userPoolId);
  return { pool, demo };
}

/** The local API Gateway in front of the handlers, wired to the provisioned emulators. */
function startGatewayFor(
  options: LocalStackOptions,
  region: string,
  log: GatewayLog,
  { cognito }: Emulators,
  pool: ProvisionedUserPool,
  {
    stream,
    webhookQueue,
    holdQueue,
    kms,
  }: { stream: TableStream; webhookQueue: WebhookQueue; holdQueue: HoldQueue; kms: LocalKms },
): Promise<LocalGateway> {
  const ports = options.ports ?? {};
  return startGateway({
    restPort: ports.rest ?? 3000,
    wsPort: ports.ws ?? 3001,
    ...(options.stage ? { stage: options.stage } : {}),
    region,
    userPoolId: pool.userPoolId,
    userPoolClientId: pool.userPoolClientId,
    cognitoEndpoint: cognito.endpoint,
    // The handlers' configuration, as the CDK stack puts it in each function's environment; nothing in process.env.
    handlers: lambdaHandlers({
      settings: {
        region,
        userPoolId: pool.userPoolId,
        userPoolClientId: pool.userPoolClientId,
        tableName: options.tableName ?? TABLE_NAME,
        cognitoEndpoint: cognito.endpoint,
        // Through the stream emulation (local/streams/), as DynamoDB Streams sees every write in AWS.
        dynamoDbEndpoint: stream.endpoint,
        claimWindowSeconds: options.claimWindowSeconds ?? 60,
        popRetentionDays: options.popRetentionDays ?? 3,
        // The emulated delivery queue (local/queue/); receivers on this machine are plain http to loopback.
        webhookQueueUrl: webhookQueue.queueUrl,
        webhookRetrySeconds: options.webhookRetrySeconds ?? DEFAULT_RETRY_SECONDS,
        webhookAllowLoopbackHttp: true,
        // ... but never to the stack's own services (local/ownPorts.ts): filled once they all listen.
        webhookDeniedPorts: ownPortsOf(options),
        // Held pops' timer (local/queue/holdQueue.ts).
        holdQueueUrl: holdQueue.queueUrl,
        // The webhook secrets' key in the KMS emulation (local/kms/), as lib/webhookKey.ts's ARN in AWS.
        webhookKeyId: kms.keyArn,
        kmsEndpoint: kms.endpoint,
      },
      credentials: LOCAL_CREDENTIALS,
      ...(options.factoryModules ? { factoryModules: options.factoryModules } : {}),
    }),
    runtime: options.runtime ?? 'environments',
    ...(options.environments ? { environments: options.environments } : {}),
    testHooks: options.testHooks ?? false,
    log,
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.tenantThrottle ? { tenantThrottle: options.tenantThrottle } : {}),
    ...(options.restAuthorizer ? { restAuthorizer: options.restAuthorizer } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
}

/** The gateway with the held pops' timer queue (local/queue/holdQueue.ts) feeding its `holdExpiry` function. */
async function startGatewayAndHoldQueue(
  options: LocalStackOptions,
  region: string,
  log: GatewayLog,
  emulators: Emulators,
  pool: ProvisionedUserPool,
  engines: { stream: TableStream; webhookQueue: WebhookQueue; kms: LocalKms },
  cleanups: Cleanups,
): Promise<LocalGateway> {
  const holdQueue = await startHoldQueue({ region, log, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  cleanups.add(holdQueue.stop);
  const gateway = await startGatewayFor(options, region, log, emulators, pool, { ...engines, holdQueue });
  cleanups.add(gateway.stop);
  // Before the gateway stops, as the webhook queue's.
  cleanups.add(holdQueue.drain);
  holdQueue.attach((event) => gateway.invoke('holdExpiry', event));
  return gateway;
}

/**
 * Writes `endpoints.json` and the demo instance's `instance.json` (mode 600: it holds a password) under `localDir`;
 * returns the path of `instance.json`.
 */
function writeLocalFiles(localDir: string, endpoints: LocalEndpoints, demo: DemoCredentials, controlPort = 0): string {
  writeFileSync(path.join(localDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
  const instanceConfigFile = path.join(localDir, 'instance.json');
  writeFileSync(instanceConfigFile, `${JSON.stringify(demoInstanceConfig(endpoints, demo, controlPort), null, 2)}\n`, {
    mode: 0o600,
  });
  // `mode` applies only when the file is created: a file left by an older version keeps its mode otherwise.
  chmodSync(instanceConfigFile, 0o600);
  writeDemoEnv(localDir, endpoints, demo);
  return instanceConfigFile;
}

/**
 * `demo.env`: the demo api-caller as the SDK's CLI and curl read it (`source .local/demo.env`; README.md's quick
 * start), owner-only like instance.json since it holds a password. Rewritten on every start with that start's password.
 */
function writeDemoEnv(localDir: string, endpoints: LocalEndpoints, demo: DemoCredentials): void {
  const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const file = path.join(localDir, 'demo.env');
  const lines = [
    "# The local stack's demo api-caller, written by npm start (a new password on every start). Use: source this file",
    `export REMOTE_POP_URL=${quoted(endpoints.RestApiUrl)}`,
    `export REMOTE_POP_USERNAME=${quoted(demo.api.username)}`,
    `export REMOTE_POP_PASSWORD=${quoted(demo.api.password)}`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Starts instance/main.ts with the demo config and waits until its Desktop list has been handled, so the printed
 * curl pop works at once. Returns why the demo instance is not ready, or undefined when it is.
 */
async function startDemoInstance(
  gateway: LocalGateway,
  configFile: string,
  log: GatewayLog,
  cleanups: Cleanups,
): Promise<string | undefined> {
  const main = path.join(PROJECT_ROOT, 'instance', 'main.ts');
  if (!existsSync(main)) return 'instance/main.ts does not exist yet: the demo Scripting instance was not started.';
  const desktop = gateway.waitForRoute('Desktop', 15_000);
  const child = launchChild({
    script: main,
    args: ['--config', configFile],
    output: { lines: (line, stream) => (stream === 'stdout' ? log.info : log.error)(`[instance] ${line}`) },
    killAfterMs: 3000,
  });
  let stopping = false;
  // Its exit is news only when it was not clean: it says itself when it stops (a Ctrl-C reaches it before the stack
  // asks it to), and the SIGTERM of our own stop is not a failure.
  child.process.on('exit', (code, signal) => {
    if (code === 0 || (stopping && signal === 'SIGTERM')) return;
    log.error(`[instance] exited (${code ?? signal})`);
  });
  cleanups.add(() => {
    stopping = true;
    return child.stop();
  });
  const exited = child.exited.then(() => false as const);
  if (await Promise.race([desktop, exited])) return undefined;
  return 'the demo Scripting instance did not send its Desktop list (see its [instance] log lines).';
}

/**
 * The two local pages: the console, served here, and the demo instance's Desktop page, served by the instance on its
 * control surface (its port goes into instance.json). Their URLs join the endpoints.
 */
async function startPages(
  options: LocalStackOptions,
  endpoints: LocalEndpoints,
  demo: DemoCredentials,
  cleanups: Cleanups,
): Promise<{ readonly endpoints: LocalEndpoints; readonly controlPort: number }> {
  const controlPort = options.startDemoInstance ? (options.ports?.control ?? 4100) : 0;
  const pages: { ConsoleUrl?: string; DesktopUrl?: string } = {};
  if (controlPort > 0) pages.DesktopUrl = `http://127.0.0.1:${controlPort}/`;
  if (options.startConsole) {
    const server = await startConsole({
      port: options.ports?.console ?? 3002,
      restApiUrl: endpoints.RestApiUrl,
      dynamoDbEndpoint: endpoints.DynamoDbEndpoint,
      tableName: endpoints.TableName,
      region: endpoints.Region,
      caller: demo.api,
    });
    cleanups.add(server.close);
    pages.ConsoleUrl = server.url;
  }
  return { endpoints: { ...endpoints, ...pages }, controlPort };
}

/** Test hooks: the emulators go down and come back on the same ports, keeping their data. */
function faultHooks(
  emulators: Emulators,
  gateway: LocalGateway,
  cleanups: Cleanups,
  stream: TableStream,
): LocalStackFaults {
  const { cognito, dynamo, cognitoDir } = emulators;
  let liveCognito = cognito;
  return {
    stopDynamoDb: dynamo.suspend,
    startDynamoDb: dynamo.resume,
    stopCognito: () => liveCognito.stop(),
    startCognito: async () => {
      liveCognito = await startCognitoLocal({ port: cognito.port, dir: cognitoDir });
      cleanups.add(liveCognito.stop);
    },
    setManagementDelay: gateway.setManagementDelay,
    failStreamInvocations: stream.failInvocations,
  };
}

/**
 * The table's stream (local/streams/), the webhook queues (local/queue/) and the KMS emulation holding the webhook
 * secrets' key (local/kms/), kept in `dataDir` when there is one.
 */
async function startEventEngines(
  options: LocalStackOptions,
  region: string,
  log: GatewayLog,
  dynamoDbEndpoint: string,
  cleanups: Cleanups,
): Promise<{ stream: TableStream; webhookQueue: WebhookQueue; kms: LocalKms }> {
  const dataDir = options.dataDir ? { dataDir: options.dataDir } : {};
  const kms = await startLocalKms({ region, ...dataDir });
  cleanups.add(kms.stop);
  const webhookQueue = await startWebhookQueue({
    region,
    retrySeconds: options.webhookRetrySeconds ?? DEFAULT_RETRY_SECONDS,
    log,
    ...(options.webhookTimeScale ? { timeScale: options.webhookTimeScale } : {}),
    ...dataDir,
  });
  cleanups.add(webhookQueue.stop);
  // The on-failure destination is the pipeline's third queue (lib/eventPipeline.ts).
  const onFailure = webhookQueue.sendStreamFailure;
  const stream = await startTableStream({
    dynamoDbEndpoint,
    region,
    tableName: options.tableName ?? TABLE_NAME,
    log,
    onFailure,
    ...dataDir,
  });
  cleanups.add(stream.stop);
  return { stream, webhookQueue, kms };
}

/** endpoints.json's keys from the running parts: the deployed stack's outputs plus the emulators' endpoints. */
function endpointsOf(
  options: LocalStackOptions,
  region: string,
  parts: {
    readonly emulators: Emulators;
    readonly pool: ProvisionedUserPool;
    readonly engines: { readonly stream: TableStream; readonly webhookQueue: WebhookQueue; readonly kms: LocalKms };
    readonly gateway: LocalGateway;
  },
): LocalEndpoints {
  return {
    RestApiUrl: parts.gateway.restApiUrl,
    WebSocketUrl: parts.gateway.webSocketUrl,
    UserPoolId: parts.pool.userPoolId,
    UserPoolClientId: parts.pool.userPoolClientId,
    TableName: options.tableName ?? TABLE_NAME,
    Region: region,
    CognitoEndpoint: parts.emulators.cognito.endpoint,
    DynamoDbEndpoint: parts.emulators.dynamo.endpoint,
    WebhookQueueUrl: parts.engines.webhookQueue.queueUrl,
    WebhookDeadLetterQueueUrl: parts.engines.webhookQueue.deadLetterQueueUrl,
    StreamFailureQueueUrl: parts.engines.webhookQueue.streamFailureQueueUrl,
    DynamoDbStreamsEndpoint: parts.engines.stream.endpoint,
    KmsEndpoint: parts.engines.kms.endpoint,
    ...parts.gateway.outputs,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const localDir = path.resolve(options.localDir ?? '.local');
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? consoleLog;
  const cleanups = new Cleanups(log);
  try {
    // Before anything starts: a taken port names the variable to change (ports.ts); the emulators check their own.
    await Promise.all([
      assertPortFree('rest', options.ports?.rest ?? 3000),
      assertPortFree('ws', options.ports?.ws ?? 3001),
      options.startConsole ? assertPortFree('console', options.ports?.console ?? 3002) : undefined,
      options.startDemoInstance ? assertPortFree('control', options.ports?.control ?? 4100) : undefined,
    ]);
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const emulators = await startEmulators(localDir, options.ports ?? {}, cleanups, options.dataDir);
    const { pool, demo } = await provisionEmulators(emulators, region, options, cleanups);
    const engines = await startEventEngines(options, region, log, emulators.dynamo.endpoint, cleanups);
    const gateway = await startGatewayAndHoldQueue(options, region, log, emulators, pool, engines, cleanups);
    // Run before the gateway stops: the deliveries being sent finish first (local/queue/webhookQueue.ts).
    cleanups.add(engines.webhookQueue.drain);
    engines.stream.attach((event) => gateway.invoke('popStream', event));
    engines.webhookQueue.attach((event) => gateway.invoke('webhookSender', event));
    const gatewayEndpoints = endpointsOf(options, region, { emulators, pool, engines, gateway });
    const { endpoints, controlPort } = await startPages(options, gatewayEndpoints, demo, cleanups);
    fillOwnPorts(options, [...Object.values(endpoints), gateway.connectionsEndpoint, engines.stream.endpoint]);
    const instanceConfigFile = writeLocalFiles(localDir, endpoints, demo, controlPort);
    const demoInstanceNote = options.startDemoInstance
      ? await startDemoInstance(gateway, instanceConfigFile, log, cleanups)
      : undefined;
    return {
      endpoints,
      demo,
      localDir,
      gateway: {
        dropConnection: gateway.dropConnection,
        connectionIds: gateway.connectionIds,
        connectionsEndpoint: gateway.connectionsEndpoint,
      },
      ...(demoInstanceNote ? { demoInstanceNote } : {}),
      ...(options.testHooks ? { faults: faultHooks(emulators, gateway, cleanups, engines.stream) } : {}),
      stop: () => cleanups.runAll(),
    };
  } catch (error) {
    await cleanups.runAll();
    throw error;
  }
}
