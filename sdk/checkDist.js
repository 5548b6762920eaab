// sdk/package.json `prepack`: a pack (or publish) without the built library would ship an empty package.
// Build and pack in one step with `npm run sdk:pack` at the repository root (sdk/pack.ts).
const { existsSync } = require('node:fs');
const path = require('node:path');

const missing = ['index.mjs', 'index.cjs', 'bin.cjs', 'types/index.d.ts'].filter(
  (file) => !existsSync(path.join(__dirname, 'dist', file)),
);
if (missing.length > 0) {
  console.error(
    `sdk/dist is not built (missing ${missing.join(', ')}): run \`npm run sdk:pack\` at the repository root.`,
  );
  process.exit(1);
}
