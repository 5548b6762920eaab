/**
 * `npm run sdk:build`: the package in sdk/dist. Type-checks the SDK and its contract assertions
 * (sdk/typecheck/contractTypes.ts) first, so a change of contract the SDK does not follow fails the build; then the
 * declarations (tsc), the library as ESM and CJS for any platform (esbuild, `platform: 'neutral'`: a Node-only import
 * in the library fails here), and the `remote-pop` executable for Node.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

const SDK = __dirname;
const DIST = path.join(SDK, 'dist');

function tsc(project: string): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(SDK, project)], {
    stdio: 'inherit',
  });
}

export function buildSdk(): void {
  rmSync(DIST, { recursive: true, force: true });
  tsc('tsconfig.json');
  tsc('tsconfig.build.json');
  const library: BuildOptions = {
    entryPoints: [path.join(SDK, 'src/index.ts')],
    bundle: true,
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
  };
  buildSync({ ...library, format: 'esm', outfile: path.join(DIST, 'index.mjs') });
  buildSync({ ...library, format: 'cjs', outfile: path.join(DIST, 'index.cjs') });
  buildSync({
    entryPoints: [path.join(SDK, 'src/bin.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(DIST, 'bin.cjs'),
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  chmodSync(path.join(DIST, 'bin.cjs'), 0o755);
}

if (require.main === module) buildSdk();
