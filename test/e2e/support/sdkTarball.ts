/**
 * The SDK's tarball, built and packed ONCE per e2e run by README.md's own quick-start command (`npm run sdk:pack`,
 * sdk/pack.ts), for every test that installs it (test/e2e/sdk/sdkPackage.test.ts, test/e2e/quickStart.test.ts).
 * Whichever test asks first packs; jest runs test files in parallel workers, so the others wait for its result under
 * the run's LOCAL_DIR (E2E_LOCAL_DIR, globalSetup.ts) instead of packing again, and of rebuilding sdk/dist while
 * another worker reads it. No test depends on which one runs first.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, watch, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The quick start's pack command, as README.md shows it (quickStart.test.ts checks the README still says so). */
export const SDK_PACK_COMMAND = 'npm run sdk:pack';

export interface SdkTarball {
  /** The tarball, copied into this run's own folder: installs read it there, whatever later packs write in sdk/. */
  readonly tarball: string;
  /** What `sdk:pack` printed (its last line is the path it packed to). */
  readonly printed: string;
  /** The files the tarball holds, as paths inside the package (`dist/index.cjs`, `package.json`). */
  readonly files: readonly string[];
}

const ROOT = path.resolve(__dirname, '../../..');
let packed: Promise<SdkTarball> | undefined;

/** The run's tarball: packed here if no worker has, else the one another worker packed. */
export function sdkTarball(): Promise<SdkTarball> {
  packed ??= oncePerRun(path.join(process.env.E2E_LOCAL_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'sdk-')), 'sdk'));
  return packed;
}

type Outcome = { readonly ok: SdkTarball } | { readonly failed: string };

async function oncePerRun(dir: string): Promise<SdkTarball> {
  mkdirSync(dir, { recursive: true });
  const result = path.join(dir, 'packed.json');
  let outcome: Outcome;
  if (takeLock(path.join(dir, 'packing'))) {
    outcome = pack(dir);
    // Written whole, then renamed: a waiting worker never reads half of it.
    writeFileSync(`${result}.tmp`, JSON.stringify(outcome));
    renameSync(`${result}.tmp`, result);
  } else {
    outcome = await fileWritten(dir, result);
  }
  if ('failed' in outcome) throw new Error(`${SDK_PACK_COMMAND} failed: ${outcome.failed}`);
  return outcome.ok;
}

/** mkdir is atomic: exactly one worker creates the folder. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function pack(dir: string): Outcome {
  try {
    const printed = execFileSync('bash', ['-c', SDK_PACK_COMMAND], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const source = printed.trim().split('\n').pop()!.trim();
    const tarball = path.join(dir, path.basename(source));
    copyFileSync(source, tarball);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((entry) => entry !== '' && !entry.endsWith('/'))
      .map((entry) => entry.replace(/^package\//, ''));
    return { ok: { tarball, printed, files } };
  } catch (error) {
    const { message, stderr } = error as { message: string; stderr?: string };
    return { failed: `${message}\n${stderr ?? ''}` };
  }
}

/** Resolves when the packing worker has renamed its outcome into place (watched, then checked, so none is missed). */
function fileWritten(dir: string, file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const settle = () => {
      if (!existsSync(file)) return;
      watcher.close();
      resolve(JSON.parse(readFileSync(file, 'utf8')) as Outcome);
    };
    const watcher = watch(dir, settle);
    settle();
  });
}
