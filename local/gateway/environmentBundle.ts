/**
 * The script of an execution environment's worker: the function's code (a module exporting `HANDLER_FACTORIES`,
 * lambdas/handlerFactories.ts unless a test gives a fixture) and environmentWorkerMain.ts, bundled by esbuild into
 * one CommonJS file per code module, as the CDK bundles each function (lib/remotePopFunction.ts).
 * A worker then loads one file instead of compiling hundreds of TypeScript modules: a cold start costs what it costs
 * in Lambda (tens of ms) rather than what tsx costs (about 400 ms), which matters when a burst of callers makes
 * dozens of environments at once.
 *
 * Bundles are cached on disk by content (BUNDLE_CACHE_DIR): esbuild takes 0.5 to 1 s of CPU for the real functions,
 * paid by every stack start (npm start, each e2e stack) when the code has not changed. The cache key is a SHA-256 of
 * every file the previous build read (esbuild's metafile) plus the build options and package-lock.json: a change to
 * any input, or an install, gives another key and a fresh build. A key names its file, so stacks of two checkouts
 * sharing node_modules, or several starting at once, never overwrite each other's bundle.
 */
import { build, type BuildOptions } from 'esbuild';
import { createHash } from 'crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'fs';
import * as path from 'path';
import { BUNDLE_ALIASES, LAZY_CREDENTIAL_PROVIDERS } from '../../lib/lambdaBundling';

const WORKER_MAIN = path.join(__dirname, 'environmentWorkerMain.ts');
const CONFIG_BUILDER = path.join(__dirname, 'handlerConfig.ts');
const PROJECT_ROOT = path.resolve(__dirname, '../..');
/** Where built bundles live between runs: node_modules/.cache, where build tools keep theirs (git-ignored). */
export const BUNDLE_CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'remote-pop-environments');
/** Bundles unused for this long are removed when a new one is written. */
const CACHE_KEEP_MS = 7 * 24 * 3600_000;

const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: [...LAZY_CREDENTIAL_PROVIDERS],
  alias: { ...BUNDLE_ALIASES },
  keepNames: true,
  logLevel: 'error',
  // Inputs in the metafile are named relative to it.
  absWorkingDir: PROJECT_ROOT,
} satisfies BuildOptions;

/** What the last build of one code module read, and the key its inputs gave then. */
interface Manifest {
  readonly inputs: readonly string[];
  readonly key: string;
}

const sha256 = (...parts: (string | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

const entryFor = (factoryModule: string) =>
  [
    `import { HANDLER_FACTORIES } from ${JSON.stringify(factoryModule)};`,
    `import { handlerConfigFor } from ${JSON.stringify(CONFIG_BUILDER)};`,
    `import { serveEnvironment } from ${JSON.stringify(WORKER_MAIN)};`,
    'serveEnvironment(HANDLER_FACTORIES, handlerConfigFor);',
  ].join('\n');

/** The key of these inputs as they are now; undefined when one has gone (the import graph changed). */
function keyOf(factoryModule: string, inputs: readonly string[]): string | undefined {
  const parts: (string | Buffer)[] = [entryFor(factoryModule), JSON.stringify(BUILD_OPTIONS)];
  for (const input of ['package-lock.json', ...inputs]) {
    const file = path.resolve(PROJECT_ROOT, input);
    if (!existsSync(file)) return undefined;
    parts.push(input, readFileSync(file));
  }
  return sha256(...parts);
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name, then renamed: a reader sees the old file or the whole new one. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

function pruneCache(): void {
  for (const name of readdirSync(BUNDLE_CACHE_DIR)) {
    const file = path.join(BUNDLE_CACHE_DIR, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > CACHE_KEEP_MS) unlinkSync(file);
    } catch {
      // another stack pruned it first
    }
  }
}

/** Bundles per code module, from the disk cache when their inputs have not changed. */
export class EnvironmentBundles {
  private readonly built = new Map<string, Promise<string>>();

  /** The worker script for this code module, built (or found) on first request. */
  scriptFor(factoryModule: string): Promise<string> {
    let script = this.built.get(factoryModule);
    if (!script) {
      script = this.cachedOrBuilt(factoryModule);
      this.built.set(factoryModule, script);
    }
    return script;
  }

  /** The files stay in the cache for the next start; only this process's memo goes. */
  close(): void {
    this.built.clear();
  }

  private async cachedOrBuilt(factoryModule: string): Promise<string> {
    mkdirSync(BUNDLE_CACHE_DIR, { recursive: true });
    const manifestFile = path.join(BUNDLE_CACHE_DIR, `${sha256(PROJECT_ROOT, factoryModule)}.json`);
    const previous = readManifest(manifestFile);
    const key = previous && keyOf(factoryModule, previous.inputs);
    const cached = key && path.join(BUNDLE_CACHE_DIR, `${key}.js`);
    // A key names the bundle built from exactly these inputs as they are now, whichever build wrote it.
    if (cached && existsSync(cached)) {
      utimesSync(cached, new Date(), new Date()); // in use: pruneCache keeps it
      return cached;
    }
    return this.build(factoryModule, manifestFile);
  }

  private async build(factoryModule: string, manifestFile: string): Promise<string> {
    const result = await build({
      ...BUILD_OPTIONS,
      stdin: {
        contents: entryFor(factoryModule),
        resolveDir: PROJECT_ROOT,
        loader: 'ts',
        sourcefile: 'environment.ts',
      },
      write: false,
      outfile: 'environment.js',
      metafile: true,
    });
    const relative = Object.keys(result.metafile.inputs).filter((input) => input !== 'environment.ts');
    const key = keyOf(factoryModule, relative) ?? sha256(String(Date.now()));
    const script = path.join(BUNDLE_CACHE_DIR, `${key}.js`);
    writeAtomically(script, result.outputFiles[0]!.contents);
    writeAtomically(manifestFile, JSON.stringify({ inputs: relative, key } satisfies Manifest));
    pruneCache();
    return script;
  }
}
