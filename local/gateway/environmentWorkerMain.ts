/**
 * One execution environment (environments.ts): a worker thread, with its own module state, that builds one function's
 * handler once from its factory (the Init phase), then serves the invocations the gateway posts to it, one at a time.
 * It builds its own SDK clients, as a Lambda container does; nothing here is shared with other environments.
 * This module is bundled with the function's code into the worker's script (environmentBundle.ts), which calls
 * `serveEnvironment` when the worker starts.
 */
import type { Context } from 'aws-lambda';
import { performance } from 'perf_hooks';
import { parentPort, workerData } from 'worker_threads';
import type { HandlerName } from '../../lambdas/apiRoutes';
import type { AnyHandler, HandlerConfig } from '../../lambdas/handlerFactories';
import type { Settings } from '../../lambdas/shared/settings';
import type { ClientCredentials } from '../../lambdas/clients/awsClients';

/** What the bundled script hands over: the function code's factories and how a handler's configuration is built. */
export type FactoryMap = Partial<Record<HandlerName, (config: HandlerConfig) => AnyHandler>>;
export type ConfigBuilder = (settings: Settings, credentials: ClientCredentials) => HandlerConfig;

/** What the gateway gives an environment when it creates it (structured-cloned: data only). */
export interface EnvironmentData {
  readonly handlerName: HandlerName;
  readonly settings: Settings;
  readonly credentials: ClientCredentials;
  readonly context: Pick<
    Context,
    'functionName' | 'invokedFunctionArn' | 'memoryLimitInMB' | 'logGroupName' | 'logStreamName'
  >;
}

export interface InvokeMessage {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch ms after which the gateway ends this environment. */
  readonly deadline: number;
}

export type EnvironmentMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'initFailed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly requestId: string; readonly result: unknown; readonly durationMs: number }
  | {
      readonly type: 'error';
      readonly requestId: string;
      readonly error: SerializedError;
      readonly durationMs: number;
    };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

const serialize = (error: unknown): SerializedError =>
  error instanceof Error
    ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
    : { name: 'Error', message: String(error) };

/** The end of the Init phase: build the handler with this environment's own clients. */
function init(data: EnvironmentData, factories: FactoryMap, configFor: ConfigBuilder): AnyHandler {
  const factory = factories[data.handlerName];
  if (typeof factory !== 'function')
    throw new Error(`The function's code has no HANDLER_FACTORIES.${data.handlerName}`);
  return factory(configFor(data.settings, data.credentials));
}

function contextFor(data: EnvironmentData, message: InvokeMessage): Context {
  const unsupported = () => {
    throw new Error('Callback-style context methods are not supported: return a promise');
  };
  return {
    ...data.context,
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: '$LATEST',
    awsRequestId: message.requestId,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Builds the handler, then serves invocations. The gateway measures Init Duration from creating the worker to `ready`,
 * so it covers starting the thread and loading the function's code as well, as Lambda's does.
 */
export function serveEnvironment(factories: FactoryMap, configFor: ConfigBuilder): void {
  const data = workerData as EnvironmentData;
  const port = parentPort;
  if (!port) throw new Error('environmentWorkerMain.ts runs only as a worker thread');
  const post = (message: EnvironmentMessage) => port.postMessage(message);
  let handler: AnyHandler;
  try {
    handler = init(data, factories, configFor);
  } catch (error) {
    post({ type: 'initFailed', error: serialize(error) });
    return;
  }
  post({ type: 'ready' });
  port.on('message', (message: InvokeMessage) => {
    const started = performance.now();
    Promise.resolve()
      .then(() => handler(message.event, contextFor(data, message)))
      .then(
        (result) =>
          post({ type: 'result', requestId: message.requestId, result, durationMs: performance.now() - started }),
        (error: unknown) =>
          post({
            type: 'error',
            requestId: message.requestId,
            error: serialize(error),
            durationMs: performance.now() - started,
          }),
      );
  });
}
