// package.json `postinstall` (the project's own, which npm always runs): says which dependencies' install scripts
// npm skipped and why, so that `npm ci` explains itself instead of warning. The decisions are package.json's
// `allowScripts` (npm 11; `npm install-scripts ls` lists any new package with a script), the reasons are here.
const { allowScripts = {} } = require('../package.json');

const WHY = {
  esbuild: 'its binary comes from the @esbuild/<platform> package; the script only re-checks it',
  'classic-level':
    'prebuilt binaries ship in the package (node-gyp-build finds them at run time); the script only compiles when none fits',
  '@parcel/watcher':
    "jest's optional watcher; its prebuilt @parcel/watcher-<platform> package is used, the script builds from source",
  'aws-sdk': "cognito-local's AWS SDK v2; the script prints a maintenance notice",
  '@scarf/scarf': 'install analytics (a network call); nothing needs it',
};

const skipped = Object.entries(allowScripts).filter(([, allowed]) => allowed === false);
if (skipped.length > 0) {
  console.log(`Install scripts skipped on purpose (package.json allowScripts; CONTRIBUTING.md, "Set up"):`);
  for (const [name] of skipped) console.log(`  ${name}: ${WHY[name] ?? 'denied'}`);
}
