/**
 * The script of an execution environment's worker: the function's code (a module exporting `HANDLER_FACTORIES`,
 * lambdas/handlerFactories.ts unless a test gives a fixture) and environmentWorkerMain.ts, bundled by esbuild into
 * one CommonJS file, once per code module and process, as the CDK bundles each function (lib/remotePopFunction.ts).
 * A worker then loads one file instead of compiling hundreds of TypeScript modules: a cold start costs what it costs
 * in Lambda (tens of ms) rather than what tsx costs (about 400 ms), which matters when a burst of callers makes
 * dozens of environments at once.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUNDLE_ALIASES, LAZY_CREDENTIAL_PROVIDERS } from '../../lib/lambdaBundling';

const WORKER_MAIN = path.join(__dirname, 'environmentWorkerMain.ts');
const CONFIG_BUILDER = path.join(__dirname, 'handlerConfig.ts');
const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** Bundles per code module, in a temporary folder removed with `close()`. */
export class EnvironmentBundles {
  private readonly built = new Map<string, Promise<string>>();
  private folder: string | undefined;

  /** The worker script for this code module, built on first request. */
  scriptFor(factoryModule: string): Promise<string> {
    let script = this.built.get(factoryModule);
    if (!script) {
      script = this.bundle(factoryModule, this.built.size);
      this.built.set(factoryModule, script);
    }
    return script;
  }

  close(): void {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
    this.built.clear();
  }

  private async bundle(factoryModule: string, index: number): Promise<string> {
    this.folder ??= mkdtempSync(path.join(os.tmpdir(), 'remote-pop-environments-'));
    const outfile = path.join(this.folder, `environment-${index}.js`);
    const contents = [
      `import { HANDLER_FACTORIES } from ${JSON.stringify(factoryModule)};`,
      `import { handlerConfigFor } from ${JSON.stringify(CONFIG_BUILDER)};`,
      `import { serveEnvironment } from ${JSON.stringify(WORKER_MAIN)};`,
      'serveEnvironment(HANDLER_FACTORIES, handlerConfigFor);',
    ].join('\n');
    await build({
      stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'environment.ts' },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      external: [...LAZY_CREDENTIAL_PROVIDERS],
      alias: { ...BUNDLE_ALIASES },
      keepNames: true,
      logLevel: 'error',
    });
    return outfile;
  }
}
