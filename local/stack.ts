/**
 * The whole system on this machine: emulators, provisioning, the local gateway with the real handlers, and
 * (optionally) the demo Scripting instance. `npm start` and the e2e harness both use `startLocalStack`.
 */
import { spawn, type ChildProcess } from 'child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { ENV } from '../lambdas/shared/settings';
import { startCognitoLocal, startDynalite, type DynaliteHandle, type EmulatorHandle } from './emulators';
import { startGateway, type LocalGateway } from './gateway';
import { consoleLog, type GatewayLog } from './gateway/log';
import type { ThrottleSettings } from './gateway/throttle';
import {
  cognitoClient,
  createTable,
  createUserPool,
  dynamoDbClient,
  LOCAL_CREDENTIALS,
  seedDemoTenant,
  type DemoCredentials,
} from './provision';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

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
  /** @default 30 */
  readonly popRetentionDays?: number;
  /** Start instance/main.ts with `$LOCAL_DIR/instance.json` when it exists. @default false */
  readonly startDemoInstance?: boolean;
  /** Serve `/__local/` test hooks on the WebSocket port. @default false */
  readonly testHooks?: boolean;
  readonly stage?: string;
  readonly region?: string;
  readonly throttle?: ThrottleSettings;
  readonly bodyLimitBytes?: number;
  /** Handler modules folder. @default lambdas/handlers */
  readonly handlersDir?: string;
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

/** Demo Scripting instance configuration, read by instance/main.ts. */
export function demoInstanceConfig(endpoints: LocalEndpoints, demo: DemoCredentials) {
  return {
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

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const localDir = path.resolve(options.localDir ?? '.local');
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? consoleLog;
  const ports = options.ports ?? {};
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error) => log.error(`stop: ${(error as Error).message}`));
    }
  };

  try {
    mkdirSync(localDir, { recursive: true });
    // cognito-local persists its state in files; dynalite is in memory: start both fresh so they agree.
    const cognitoDir = path.join(localDir, 'cognito');
    rmSync(cognitoDir, { recursive: true, force: true });

    const [cognito, dynamo]: [EmulatorHandle, DynaliteHandle] = await Promise.all([
      startCognitoLocal({ port: ports.cognito ?? 9229, dir: cognitoDir }).then((handle) => {
        cleanups.push(handle.stop);
        return handle;
      }),
      startDynalite({ port: ports.dynamoDb ?? 4567 }).then((handle) => {
        cleanups.push(handle.stop);
        return handle;
      }),
    ]);

    const cognitoSdk = cognitoClient(cognito.endpoint, region);
    const dynamoSdk = dynamoDbClient(dynamo.endpoint, region);
    cleanups.push(async () => {
      cognitoSdk.destroy();
      dynamoSdk.destroy();
    });
    const [pool] = await Promise.all([
      createUserPool(cognitoSdk, { ...(options.idTokenValidityMinutes ? { idTokenValidityMinutes: options.idTokenValidityMinutes } : {}) }),
      createTable(dynamoSdk, TABLE_NAME),
    ]);
    const demo = await seedDemoTenant(cognitoSdk, pool.userPoolId);

    const gateway = await startGateway({
      restPort: ports.rest ?? 3000,
      wsPort: ports.ws ?? 3001,
      ...(options.stage ? { stage: options.stage } : {}),
      region,
      userPoolId: pool.userPoolId,
      userPoolClientId: pool.userPoolClientId,
      cognitoEndpoint: cognito.endpoint,
      handlerEnvironment: {
        [ENV.region]: region,
        AWS_DEFAULT_REGION: region,
        [ENV.userPoolId]: pool.userPoolId,
        [ENV.userPoolClientId]: pool.userPoolClientId,
        [ENV.tableName]: TABLE_NAME,
        [ENV.cognitoEndpoint]: cognito.endpoint,
        [ENV.dynamoDbEndpoint]: dynamo.endpoint,
        [ENV.claimWindowSeconds]: String(options.claimWindowSeconds ?? 60),
        [ENV.popRetentionDays]: String(options.popRetentionDays ?? 3),
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      testHooks: options.testHooks ?? false,
      log,
      ...(options.handlersDir ? { handlersDir: options.handlersDir } : {}),
      ...(options.throttle ? { throttle: options.throttle } : {}),
      ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    });
    cleanups.push(gateway.stop);

    const endpoints: LocalEndpoints = {
      RestApiUrl: gateway.restApiUrl,
      WebSocketUrl: gateway.webSocketUrl,
      UserPoolId: pool.userPoolId,
      UserPoolClientId: pool.userPoolClientId,
      TableName: TABLE_NAME,
      Region: region,
      CognitoEndpoint: cognito.endpoint,
      DynamoDbEndpoint: dynamo.endpoint,
    };
    writeFileSync(path.join(localDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    const instanceConfigFile = path.join(localDir, 'instance.json');
    writeFileSync(instanceConfigFile, `${JSON.stringify(demoInstanceConfig(endpoints, demo), null, 2)}\n`, {
      mode: 0o600,
    });

    let demoInstanceNote: string | undefined;
    if (options.startDemoInstance) {
      const main = path.join(PROJECT_ROOT, 'instance', 'main.ts');
      if (existsSync(main)) {
        // Ready means the demo agent is on the Desktop, so the printed curl pop works at once.
        const desktop = gateway.waitForRoute('Desktop', 15_000);
        const child = startDemoInstance(main, instanceConfigFile, log);
        cleanups.push(() => stopChild(child));
        const exited = new Promise<false>((resolve) => child.once('exit', () => resolve(false)));
        if (!(await Promise.race([desktop, exited]))) {
          demoInstanceNote = `the demo Scripting instance did not send its Desktop list (see its [instance] log lines).`;
        }
      } else {
        demoInstanceNote = 'instance/main.ts does not exist yet: the demo Scripting instance was not started.';
      }
    }

    let liveCognito = cognito;
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
      ...(options.testHooks
        ? {
            faults: {
              stopDynamoDb: dynamo.suspend,
              startDynamoDb: dynamo.resume,
              stopCognito: () => liveCognito.stop(),
              startCognito: async () => {
                liveCognito = await startCognitoLocal({ port: cognito.port, dir: cognitoDir });
                cleanups.push(liveCognito.stop);
              },
              setManagementDelay: gateway.setManagementDelay,
            },
          }
        : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * `node -r tsx/cjs instance/main.ts --config <file>`: the same as `tsx instance/main.ts` but one process (the tsx CLI
 * runs a second one), so stopping it leaves no grandchild behind; the preload also ends it if this process dies.
 * (`--import tsx` would load main.ts as ESM, where `require.main === module` is false and it would not run.)
 */
function startDemoInstance(main: string, configFile: string, log: GatewayLog): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(__dirname, 'parentWatch.js'), '-r', 'tsx/cjs', main, '--config', configFile],
    { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: process.env },
  );
  const relay = (stream: NodeJS.ReadableStream | null, write: (line: string) => void) => {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') write(`[instance] ${line}`);
    });
  };
  relay(child.stdout, log.info);
  relay(child.stderr, log.error);
  child.on('exit', (code, signal) => log.info(`[instance] exited (${code ?? signal})`));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
