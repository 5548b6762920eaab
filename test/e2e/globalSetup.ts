/**
 * Starts ONE local stack for the whole e2e run, on free ports, in a temporary LOCAL_DIR, without the demo instance.
 * Test files find it through process.env (inherited by jest's workers): E2E_ENDPOINTS (JSON), E2E_ENDPOINTS_FILE,
 * E2E_TEST_HOOKS_URL (the gateway's `/__local` test hooks) and E2E_LOCAL_DIR (logs: stack.log for the handlers, gateway.log, cognito/).
 * E2E_CLAIM_WINDOW_SECONDS overrides the claim window; E2E_QUIET=true writes no gateway.log.
 */
import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readClientSecret } from '../../lambdas/auth/appClient';
import { cognitoClient } from '../../local/provision';
import { recordSecret } from './support/secrets';
import { launchE2eStack } from './support/e2eStack';

export interface E2eStackHandle {
  stop(): Promise<void>;
}

declare global {
  var __REMOTE_POP_E2E_STACK__: E2eStackHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const localDir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-e2e-'));
  const stack = await launchE2eStack(
    {
      localDir,
      claimWindowSeconds: Number(process.env.E2E_CLAIM_WINDOW_SECONDS || 60),
      quiet: process.env.E2E_QUIET === 'true',
    },
    'e2e local stack',
  );

  process.env.E2E_ENDPOINTS = JSON.stringify(stack.endpoints);
  process.env.E2E_ENDPOINTS_FILE = path.join(localDir, 'endpoints.json');
  process.env.E2E_TEST_HOOKS_URL = stack.testHooksUrl;
  process.env.E2E_LOCAL_DIR = localDir;
  // The demo users' passwords are secrets of the run too (globalTeardown checks no log line holds any).
  recordSecret('password', stack.demo.api.password, localDir);
  recordSecret('password', stack.demo.instance.password, localDir);
  // And the app client's secret, which GET /auth and POST /auth/refresh read and must never log.
  const { CognitoEndpoint, Region, UserPoolId, UserPoolClientId } = stack.endpoints;
  const clientSecret = await readClientSecret(cognitoClient(CognitoEndpoint, Region), {
    userPoolId: UserPoolId,
    clientId: UserPoolClientId,
  });
  recordSecret('client-secret', clientSecret, localDir);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  globalThis.__REMOTE_POP_E2E_STACK__ = stack;
  if (process.env.E2E_VERBOSE) console.log(`\ne2e local stack ready in ${Date.now() - started} ms (${localDir})`);
}
