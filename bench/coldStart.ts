/**
 * Cold start: each Lambda bundled as the CDK bundles it (lib/remotePopFunction.ts: esbuild, bundle, minify, ESM,
 * mainFields module/main, the AWS SDK bundled, the createRequire banner) but without the source map (size of the
 * code only) and for the local Node (node20). Then module initialisation in fresh Node processes.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { HANDLER_NEEDS, type HandlerName } from '../lambdas/apiRoutes';
import { ENV } from '../lambdas/shared/settings';
import { median, spreadOf, type Spread } from './stats';
import { BUNDLE_ALIASES, LAZY_CREDENTIAL_PROVIDERS } from '../lib/lambdaBundling';

const ROOT = path.resolve(__dirname, '..');
const BANNER =
  "import { createRequire as __remotePopCreateRequire } from 'module'; const require = __remotePopCreateRequire(import.meta.url);";

/** Dummy configuration so every handler's cold-start checks pass; nothing outside the machine is contacted. */
export const DUMMY_ENV: Record<string, string> = {
  [ENV.region]: 'us-east-1',
  // The auth functions start reading the app client's secret at import (lambdas/auth/appClient.ts): a closed local
  // port refuses it at once instead of a request to AWS with dummy credentials.
  [ENV.cognitoEndpoint]: 'http://127.0.0.1:9',
  [ENV.userPoolId]: 'us-east-1_bench',
  [ENV.userPoolClientId]: 'benchclientid',
  [ENV.tableName]: 'remote-pop-bench',
  [ENV.connectionsEndpoint]: 'https://example.execute-api.us-east-1.amazonaws.com/v1',
  [ENV.claimWindowSeconds]: '60',
  [ENV.popRetentionDays]: '30',
  [ENV.webhookQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/remote-pop-bench-webhooks',
  [ENV.holdQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/remote-pop-bench-holds',
  [ENV.webhookKeyId]: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface BundleFigure {
  readonly handler: HandlerName;
  readonly bytes: number;
  readonly initMsMedian: number;
  readonly initMsP90: number;
  /** Median import time minus the empty module's median import time. */
  readonly initMsAboveEmptyModule: number;
  /**
   * Per round, this bundle's import time over the empty `node` process start of the same round (median, min-max over
   * rounds): a ratio of the same moment, so a slow machine moves both sides.
   */
  readonly initRatioToEmptyProcess: Spread;
  readonly underSizeTarget: boolean;
  /** initRatioToEmptyProcess.median under targets.initRatioToEmptyProcess. */
  readonly underInitTarget: boolean;
  /** Bytes in the minified output by package (our own code as `(project)`), largest first. */
  readonly bytesByPackage: Record<string, number>;
}

export interface ColdStartFigures {
  readonly runs: number;
  readonly emptyProcessStartMsMedian: number;
  readonly emptyModuleImportMsMedian: number;
  readonly bundles: BundleFigure[];
  readonly targets: { readonly bundleBytes: number; readonly initRatioToEmptyProcess: number };
}

/** `node_modules/@aws-sdk/client-dynamodb/...` -> `@aws-sdk/client-dynamodb`; anything else -> `(project)`. */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : '(project)';
}

function packageBytes(
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>,
): Record<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      totals.set(packageOf(input), (totals.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries([...totals].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]));
}

function timedImport(file: string, env: NodeJS.ProcessEnv): number {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'importTimer.mjs'), file], {
    env,
    encoding: 'utf8',
  });
  const ms = Number(result.stdout.trim());
  if (result.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`import of ${path.basename(file)} failed: ${result.stderr.slice(0, 500)}`);
  }
  return ms;
}

function emptyProcessMs(): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error('node -e "" failed');
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

export async function measureColdStart(
  outDir: string,
  runs = 20,
  log: (line: string) => void = () => {},
): Promise<ColdStartFigures> {
  // Init at most the cost of starting Node itself: the former target of 60 ms above an empty process was set when that process
  // took 63 to 75 ms here, and an absolute figure failed on a slower moment of the same machine.
  const targets = { bundleBytes: 300 * 1024, initRatioToEmptyProcess: 1 };
  mkdirSync(outDir, { recursive: true });
  const names = Object.keys(HANDLER_NEEDS) as HandlerName[];
  const files = new Map<HandlerName, string>();
  const byPackage = new Map<HandlerName, Record<string, number>>();
  for (const name of names) {
    const outfile = path.join(outDir, `${name}.mjs`);
    const result = await build({
      metafile: true,
      entryPoints: [path.join(ROOT, 'lambdas', 'handlers', `${name}.ts`)],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      external: [...LAZY_CREDENTIAL_PROVIDERS],
      alias: { ...BUNDLE_ALIASES },
      sourcemap: false,
      banner: { js: BANNER },
      logLevel: 'error',
    });
    files.set(name, outfile);
    byPackage.set(name, packageBytes(result.metafile!.outputs));
  }
  const emptyModule = path.join(outDir, 'empty.mjs');
  writeFileSync(emptyModule, 'export const handler = async () => undefined;\n');

  const env = { ...process.env, ...DUMMY_ENV };
  delete env.NODE_OPTIONS;
  const emptyStarts: number[] = [];
  const emptyImports: number[] = [];
  const imports = new Map<HandlerName, number[]>(names.map((n) => [n, []]));
  // Interleaved rounds: a burst of machine noise spreads over all bundles instead of hitting one.
  for (let round = 0; round < runs; round++) {
    emptyStarts.push(emptyProcessMs());
    emptyImports.push(timedImport(emptyModule, env));
    for (const name of names) imports.get(name)!.push(timedImport(files.get(name)!, env));
  }
  const emptyModuleImportMsMedian = median(emptyImports);
  const bundles = names.map((handler): BundleFigure => {
    const bytes = statSync(files.get(handler)!).size;
    const times = imports.get(handler)!;
    const initMsMedian = median(times);
    const above = initMsMedian - emptyModuleImportMsMedian;
    const initRatioToEmptyProcess = spreadOf(times.map((ms, round) => ms / emptyStarts[round]!));
    return {
      handler,
      bytes,
      initMsMedian,
      initMsP90: quantile(times, 0.9),
      initMsAboveEmptyModule: above,
      initRatioToEmptyProcess,
      underSizeTarget: bytes < targets.bundleBytes,
      underInitTarget: initRatioToEmptyProcess.median < targets.initRatioToEmptyProcess,
      bytesByPackage: byPackage.get(handler)!,
    };
  });
  log(`cold start: ${names.length} bundles x ${runs} fresh imports done`);
  return { runs, emptyProcessStartMsMedian: median(emptyStarts), emptyModuleImportMsMedian, bundles, targets };
}
