/**
 * Loads the same handler modules as in AWS (`lambdas/handlers/<name>.ts`, export `handler`) lazily, by name, and
 * invokes them with a Lambda-like Context and a timeout.
 */
import * as path from 'path';
import type { Context } from 'aws-lambda';
import type { HandlerName } from '../../lambdas/apiRoutes';
import { newRequestId } from './ids';

export type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaRuntimeOptions {
  /** Folder of the handler modules; default `lambdas/handlers`. Tests point it at fixtures. */
  readonly handlersDir?: string;
  /** Lambda timeout per invocation; default 29 s (API Gateway's integration timeout). */
  readonly timeoutMs?: number;
  readonly region: string;
}

export class HandlerTimeoutError extends Error {
  override name = 'HandlerTimeoutError';
}

const ACCOUNT = '123456789012';

export class LambdaRuntime {
  private readonly dir: string;
  private readonly timeoutMs: number;
  private readonly cache = new Map<HandlerName, AnyHandler>();

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.dir = options.handlersDir ?? path.resolve(__dirname, '../../lambdas/handlers');
    this.timeoutMs = options.timeoutMs ?? 29_000;
  }

  /** Import on first use (after the environment is set), as a cold start would. */
  load(name: HandlerName): AnyHandler {
    const cached = this.cache.get(name);
    if (cached) return cached;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(this.dir, name)) as { handler?: unknown };
    if (typeof mod.handler !== 'function') {
      throw new Error(`Module ${name} does not export a function named handler`);
    }
    const handler = mod.handler as AnyHandler;
    this.cache.set(name, handler);
    return handler;
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
