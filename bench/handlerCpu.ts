/**
 * CPU time per pop inside the pop handler, measured in a process of its own (`node -r tsx/cjs bench/handlerCpu.ts`)
 * that does nothing but invoke `lambdas/handlers/pop.ts` in a loop against the running stack's emulators and its
 * `@connections` endpoint. process.cpuUsage() counts on-CPU time only (user + system), so the waits on DynamoDB and
 * on the push are excluded; what remains is our code, the AWS SDK (serialise, sign, parse) and the logger.
 * Input: BENCH_HANDLER_CPU (JSON: claims, agents, warmup, invocations, resultFile, noncePrefix) and the handler env.
 */
import '../local/sdkQuiet';
import { writeFileSync } from 'fs';
import { Session } from 'inspector';
import { performance } from 'perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { distribution, type Distribution } from './stats';

export interface HandlerCpuInput {
  readonly claims: Record<string, string>;
  readonly agents: readonly string[];
  readonly warmup: number;
  readonly invocations: number;
  readonly resultFile: string;
  readonly noncePrefix: string;
  /** After the measured loop, this many more invocations under the V8 profiler, written to profileFile. */
  readonly profiledInvocations: number;
  readonly profileFile: string;
}

export interface HandlerCpuResult {
  readonly invocations: number;
  readonly cpuMsPerPop: number;
  readonly userMsPerPop: number;
  readonly systemMsPerPop: number;
  readonly wallMsPerPop: number;
  /** Per-invocation CPU (getrusage granularity), ms. */
  readonly cpuMsPerInvocation: Distribution;
  readonly statusCounts: Record<string, number>;
  readonly firstInvocationWallMs: number;
}

/** A POST /pop event as API Gateway builds it (the claims as its Cognito authorizer writes them). */
export function event(body: string, claims: Record<string, string>, index: number): APIGatewayProxyEvent {
  const requestId = `bench-${index}`;
  return {
    resource: '/pop',
    path: '/pop',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', Host: '127.0.0.1' },
    multiValueHeaders: { 'Content-Type': ['application/json'], Host: ['127.0.0.1'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      resourceId: 'bench',
      resourcePath: '/pop',
      httpMethod: 'POST',
      path: '/v1/pop',
      stage: 'v1',
      requestId,
      requestTimeEpoch: Date.now(),
      accountId: '123456789012',
      apiId: 'bench',
      protocol: 'HTTP/1.1',
      authorizer: { claims },
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  } as APIGatewayProxyEvent;
}

export function context(index: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'remote-pop-bench-pop',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remote-pop-bench-pop',
    memoryLimitInMB: '256',
    awsRequestId: `bench-${index}`,
    logGroupName: '/aws/lambda/remote-pop-bench-pop',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_HANDLER_CPU ?? '') as HandlerCpuInput;
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require('../lambdas/handlers/pop') as {
    handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  };
  const statusCounts: Record<string, number> = {};
  const invoke = async (index: number) => {
    const nonce = `${input.noncePrefix}-${index}`;
    const body = JSON.stringify({
      Username: input.agents[index % input.agents.length],
      Campaign: 'Sales',
      Reference: `REF-${nonce}`,
      ScriptData: { BenchNonce: nonce, 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
    });
    const result = await handler(event(body, input.claims, index), context(index));
    statusCounts[result.statusCode] = (statusCounts[result.statusCode] ?? 0) + 1;
  };
  await invoke(0);
  const firstInvocationWallMs = performance.now() - t0;
  for (let i = 1; i < input.warmup; i++) await invoke(i);

  const perInvocation: number[] = [];
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < input.invocations; i++) {
    const before = process.cpuUsage();
    await invoke(input.warmup + i);
    const used = process.cpuUsage(before);
    perInvocation.push((used.user + used.system) / 1000);
  }
  const wall = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  const n = input.invocations;
  const result: HandlerCpuResult = {
    invocations: n,
    cpuMsPerPop: Number(((cpu.user + cpu.system) / 1000 / n).toFixed(3)),
    userMsPerPop: Number((cpu.user / 1000 / n).toFixed(3)),
    systemMsPerPop: Number((cpu.system / 1000 / n).toFixed(3)),
    wallMsPerPop: Number((wall / n).toFixed(3)),
    cpuMsPerInvocation: distribution(perInvocation),
    statusCounts,
    firstInvocationWallMs: Number(firstInvocationWallMs.toFixed(1)),
  };
  writeFileSync(input.resultFile, JSON.stringify(result));

  // A profile of further invocations (not in the figures above: the profiler costs CPU itself).
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  const base = input.warmup + input.invocations;
  for (let i = 0; i < input.profiledInvocations; i++) await invoke(base + i);
  const { profile } = await post('Profiler.stop');
  writeFileSync(input.profileFile, JSON.stringify(profile));
  session.disconnect();
}

// Also imported for its event builders (bench/costCpuChild.ts): run only as a script.
if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
