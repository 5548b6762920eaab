import { assertNoSecretsInLogs } from './support/secretScan';

/** Stops the e2e local stack started by globalSetup; nothing is left running. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__REMOTE_POP_E2E_STACK__?.stop();
  globalThis.__REMOTE_POP_E2E_STACK__ = undefined;
  // Last, once every log is complete: no password, token or Basic value used by the suites may be in any log line.
  const localDir = process.env.E2E_LOCAL_DIR;
  if (localDir) {
    const checked = assertNoSecretsInLogs(localDir);
    if (process.env.E2E_VERBOSE)
      console.log(`secrets check: ${checked.secrets} secrets, ${checked.files} log files, no hits`);
  }
}
