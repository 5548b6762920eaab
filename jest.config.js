// Three projects so that `npm test` runs everything while each layer can run alone:
// unit (handlers and domain, mocked SDK only where an emulator cannot produce the case),
// cdk (template assertions), e2e (the whole local stack against the real emulators).
const path = require('path');

// aws-cdk-lib caches under $HOME/.cdk; keep it inside the project (ignored by git).
process.env.CDK_HOME = process.env.CDK_HOME || path.join(__dirname, '.cdk-home');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Handlers called in process by unit tests log from Warn up, so test output is not buried in INFO lines
// (the e2e stack writes its handlers' logs, at INFO, to a file the secrets check reads).
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL || 'WARN';

const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest } };

module.exports = {
  // A test's budget, not a wait: jest's default 5 s is outrun by real work (a sign-in, a stack call, a synth) on a
  // loaded machine (issue 27: two CPU hogs on 2 cores). Tests wait on events; a file that needs more sets its own.
  // A global option: a project's own is ignored.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'cdk', testMatch: ['<rootDir>/test/cdk/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
      globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
    },
  ],
};
