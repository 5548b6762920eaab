/**
 * Runs the handlers as Lambda would: each built once, on first use (a cold start), and invoked with a Lambda-like
 * Context and a timeout. The real handlers are built from their factories (lambdas/handlerFactories.ts) with this
 * stack's configuration object, never through process.env, so two stacks can run in one process; tests pass fixtures.
 */
import type { Context } from 'aws-lambda';
import type { HandlerName } from '../../lambdas/apiRoutes';
import { HANDLER_FACTORIES, type AnyHandler, type HandlerConfig } from '../../lambdas/handlerFactories';

export { logsInfo } from './handlerConfig';
import type { ClientCredentials } from '../../lambdas/clients/awsClients';
import type { MetricsSink } from '../../lambdas/shared/metrics';
import { destroyClients, handlerConfigFor } from './handlerConfig';
import type { Settings } from '../../lambdas/shared/settings';
import { LambdaThrottledError } from './environmentPool';
import { newRequestId } from './ids';

export type { AnyHandler } from '../../lambdas/handlerFactories';

/**
 * What each function's code is, for an execution environment (environments.ts) to load in a worker of its own: only
 * data (module paths and settings), since a worker shares no objects with the gateway.
 */
export interface EnvironmentCode {
  /** The stack's settings, as the CDK stack would put them in each function's environment (the endpoint aside). */
  readonly settings: Omit<Settings, 'connectionsEndpoint'>;
  readonly credentials: ClientCredentials;
  /**
   * Per function, a module exporting `HANDLER_FACTORIES` (the shape of lambdas/handlerFactories.ts, which is the
   * default): how tests put a fixture handler in an environment.
   */
  readonly factoryModules?: Partial<Record<HandlerName, string>>;
}

/** Builds the handler of a route; the gateway's `@connections` endpoint is known only once it listens. */
export interface HandlerSource {
  build(name: HandlerName, gateway: { readonly connectionsEndpoint: string }): AnyHandler;
  /** Release what the handlers hold (SDK clients' sockets). */
  close?(): void;
  /** Present when the handlers can also run in execution environments (the real ones can, closures cannot). */
  readonly environmentCode?: EnvironmentCode;
}

/** How the gateway runs the functions: all in its own event loop, or each in Lambda-like environments (workers). */
export type FunctionRuntimeMode = 'inProcess' | 'environments';

/** What the REST and WebSocket servers invoke a function through, whichever the mode. */
export interface LambdaRuntime {
  invoke(name: HandlerName, event: unknown): Promise<unknown>;
  close(): void | Promise<void>;
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
  /** Per function, a module exporting `HANDLER_FACTORIES`, used in execution environments only (EnvironmentCode). */
  readonly factoryModules?: Partial<Record<HandlerName, string>>;
  /** @default Powertools Metrics when the handlers log at INFO or below (metric lines were INFO lines), else none */
  readonly metrics?: MetricsSink;
}

/** The real handlers, sharing one SDK client per service for this stack, as one warm container would. */
export function lambdaHandlers(config: LambdaHandlersConfig): HandlerSource {
  let shared: HandlerConfig | undefined;
  const configFor = (connectionsEndpoint: string): HandlerConfig =>
    (shared ??= handlerConfigFor({ ...config.settings, connectionsEndpoint }, config.credentials, config.metrics));
  return {
    build: (name, gateway) => HANDLER_FACTORIES[name](configFor(gateway.connectionsEndpoint)),
    close: () => {
      if (shared) destroyClients(shared.clients);
    },
    environmentCode: {
      settings: config.settings,
      credentials: config.credentials,
      ...(config.factoryModules ? { factoryModules: config.factoryModules } : {}),
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

/** API Gateway's integration timeout (29 s) passed: REST answers 504. */
export class HandlerTimeoutError extends Error {
  override name = 'HandlerTimeoutError';
}

export { LambdaThrottledError };

/**
 * API Gateway's status for a failed invocation of a REST route's Lambda (docs.aws.amazon.com, "Handling Lambda errors
 * with an API Gateway API"): 500 when Lambda refuses the invocation (a throttle), 504 past the integration timeout,
 * else 502 (the function failed, timed out, or returned a malformed result).
 */
export function invocationFailureStatus(error: unknown): number {
  if (error instanceof LambdaThrottledError) return 500;
  return error instanceof HandlerTimeoutError ? 504 : 502;
}

const ACCOUNT = '123456789012';

/** Every function in the gateway's own event loop, each handler shared by all its invocations (the old mode). */
export class InProcessRuntime implements LambdaRuntime {
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
