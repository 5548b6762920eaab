/**
 * `npm run sdk:pack`: builds the SDK (sdk/build.ts) and packs it in one step, so the tarball can never hold an old
 * or empty dist/. Prints the tarball's absolute path, which a project installs with `npm install <path>`. sdk/
 * package.json's `prepack` refuses a pack without a built dist/ (an `npm pack` or `npm publish` run by hand).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { buildSdk } from './build';

const SDK = __dirname;

export function packSdk(destination = SDK): string {
  buildSdk();
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: SDK,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(output) as { filename: string }[];
  return path.resolve(destination, packed!.filename);
}

if (require.main === module) console.log(packSdk(process.argv[2] ? path.resolve(process.argv[2]) : SDK));
