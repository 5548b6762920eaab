/**
 * `npm run test:load`: the full-size load test on a local stack of its own (a child process, logs in a temporary
 * folder): 10,000 pops over 100 agents on 20 instances in 2 tenants from 32 concurrent requests. Prints the counts and
 * exits 1 if any accepted pop was lost, duplicated, misrouted or did not reach Opened, or if a log line holds a
 * password or token of the run.
 * Sizes can be changed: LOAD_POPS, LOAD_AGENTS, LOAD_INSTANCES, LOAD_TENANTS, LOAD_CONCURRENCY, LOAD_STATUS_CHECKS.
 */
import { startFaultStack, useStack } from '../e2e/support/faultStack';
import { assertNoSecretsInLogs } from '../e2e/support/secretScan';
import { describeReport, runPopLoad } from './popLoad';

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const options = {
    pops: setting('LOAD_POPS', 10_000),
    agents: setting('LOAD_AGENTS', 100),
    instances: setting('LOAD_INSTANCES', 20),
    tenants: setting('LOAD_TENANTS', 2),
    concurrency: setting('LOAD_CONCURRENCY', 32),
    statusChecks: setting('LOAD_STATUS_CHECKS', 10_000),
    log: (line: string) => console.log(line),
  };
  const started = Date.now();
  const stack = await startFaultStack();
  console.log(`load: local stack ready in ${Date.now() - started} ms (logs in ${stack.localDir})`);
  try {
    useStack(stack);
    // The passwords and tokens of the run are recorded next to its logs, which must hold none of them.
    process.env.E2E_LOCAL_DIR = stack.localDir;
    const report = await runPopLoad(options);
    console.log(describeReport(report));
    await stack.stop();
    const checked = assertNoSecretsInLogs(stack.localDir);
    console.log(`load: secrets check: ${checked.secrets} secrets, ${checked.files} log files, no hits`);
    const lost =
      report.accepted !== report.requested ||
      report.delivered !== report.accepted ||
      report.duplicates + report.misrouted + report.unexpected + report.missing + report.ackErrors > 0 ||
      report.opened !== report.statusChecked;
    console.log(lost ? 'load: FAILED (see the counts above)' : 'load: OK, nothing lost');
    return lost ? 1 : 0;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
