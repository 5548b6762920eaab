/**
 * Runs the handlers as Lambda would: each built once, on first use (a cold start), and invoked with a Lambda-like
 * Context and a timeout. The real handlers are built from their factories (lambdas/handlerFactories.ts) with this
 * stack's configuration object, never through process.env, so two stacks can run in one process; tests pass fixtures.
 */
import type { Context } from 'aws-lambda';
import type { HandlerName } from '../../lambdas/apiRoutes';
import { HANDLER_FACTORIES, type AnyHandler, type HandlerConfig } from '../../lambdas/handlerFactories';
import type { AwsClients, ClientCredentials } from '../../lambdas/clients/awsClients';
import { createCognitoClient } from '../../lambdas/clients/cognitoClient';
import { createConnectionsClient } from '../../lambdas/clients/connectionsClient';
import { createDocumentClient } from '../../lambdas/clients/documentClient';
import { noMetrics, powertoolsMetrics, type MetricsSink } from '../../lambdas/shared/metrics';
import type { Settings } from '../../lambdas/shared/settings';
import { newRequestId } from './ids';

export type { AnyHandler } from '../../lambdas/handlerFactories';

/** Builds the handler of a route; the gateway's `@connections` endpoint is known only once it listens. */
export interface HandlerSource {
  build(name: HandlerName, gateway: { readonly connectionsEndpoint: string }): AnyHandler;
  /** Release what the handlers hold (SDK clients' sockets). */
  close?(): void;
}

export interface LambdaRuntimeOptions {
  readonly handlers: HandlerSource;
  /** Asked when the first handler is built (after the gateway listens). */
  readonly connectionsEndpoint: () => string;
  /** Lambda timeout per invocation; default 29 s (API Gateway's integration timeout). */
  readonly timeoutMs?: number;
  readonly region: string;
}

export interface LambdaHandlersConfig {
  /** The stack's settings, as the CDK stack would put them in each function's environment (the endpoint aside). */
  readonly settings: Omit<Settings, 'connectionsEndpoint'>;
  /** The emulators' credentials. */
  readonly credentials: ClientCredentials;
  /** @default Powertools Metrics when the handlers log at INFO or below (metric lines were INFO lines), else none */
  readonly metrics?: MetricsSink;
}

const METRIC_LEVELS = new Set(['TRACE', 'DEBUG', 'INFO']);
/** Metric lines appear where the handlers' INFO lines do. */
function defaultMetrics(namespace: string | undefined): MetricsSink {
  const level = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return METRIC_LEVELS.has(level) ? powertoolsMetrics(namespace) : noMetrics;
}

/** The real handlers, sharing one SDK client per service for this stack, as one warm container would. */
export function lambdaHandlers(config: LambdaHandlersConfig): HandlerSource {
  let shared: { config: HandlerConfig; clients: AwsClients } | undefined;
  const configFor = (connectionsEndpoint: string): HandlerConfig => {
    if (!shared) {
      const settings: Settings = { ...config.settings, connectionsEndpoint };
      const clients: AwsClients = {
        db: createDocumentClient(settings, config.credentials),
        management: createConnectionsClient(settings, config.credentials),
        cognito: createCognitoClient(settings, config.credentials),
      };
      shared = { clients, config: { settings, clients, metrics: config.metrics ?? defaultMetrics(settings.metricsNamespace) } };
    }
    return shared.config;
  };
  return {
    build: (name, gateway) => HANDLER_FACTORIES[name](configFor(gateway.connectionsEndpoint)),
    close: () => {
      if (!shared) return;
      shared.clients.db.destroy();
      shared.clients.management.destroy();
      shared.clients.cognito.destroy();
    },
  };
}

/** Handlers given as they are (test fixtures); a route without one fails like a function that does not exist. */
export function handlerMap(handlers: Partial<Record<HandlerName, AnyHandler>>): HandlerSource {
  return {
    build: (name) => {
      const handler = handlers[name];
      if (typeof handler !== 'function') throw new Error(`No handler ${name}`);
      return handler;
    },
  };
}

export class HandlerTimeoutError extends Error {
  override name = 'HandlerTimeoutError';
}

const ACCOUNT = '123456789012';

export class LambdaRuntime {
  private readonly timeoutMs: number;
  private readonly cache = new Map<HandlerName, AnyHandler>();

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.timeoutMs = options.timeoutMs ?? 29_000;
  }

  /** Build on first use, as a cold start would. */
  load(name: HandlerName): AnyHandler {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const handler = this.options.handlers.build(name, { connectionsEndpoint: this.options.connectionsEndpoint() });
    this.cache.set(name, handler);
    return handler;
  }

  close(): void {
    this.options.handlers.close?.();
  }

  async invoke(name: HandlerName, event: unknown): Promise<unknown> {
    const handler = this.load(name);
    const context = this.context(name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HandlerTimeoutError(`Task timed out after ${this.timeoutMs / 1000} seconds`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private context(name: HandlerName): Context {
    const functionName = `remote-pop-local-${name}`;
    const deadline = Date.now() + this.timeoutMs;
    const unsupported = () => {
      throw new Error('Callback-style context methods are not supported: return a promise');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:${ACCOUNT}:function:${functionName}`,
      memoryLimitInMB: '256',
      awsRequestId: newRequestId(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/[$LATEST]${newRequestId().replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }
}

export const LOCAL_ACCOUNT_ID = ACCOUNT;
