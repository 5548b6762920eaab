/**
 * `npm run verify [-- --outputs FILE]`: proves a stack works end to end (ops/README.md). Prints each step with its time;
 * exit 0 all passed, 1 a step failed, 2 usage (bad option, no endpoints file), 3 the stack is unreachable.
 */
import '../../local/sdkQuiet';
import { Command, CommanderError } from 'commander';
import { formatStep } from './format';
import { runRoundTrip, type RoundTripReport } from './roundTrip';
import { loadVerifyTarget, type VerifyTarget } from './target';
import { temporaryTenant } from './tenant';
import type { Run } from './steps';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

export interface VerifyOptions {
  readonly outputs?: string;
  /** Where lines go. @default stdout */
  readonly print?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly stepTimeoutMs?: number;
  /** For tests: called once the synthetic instance is connected. */
  readonly afterConnect?: (run: Run) => Promise<void>;
}

function exitCodeOf(report: RoundTripReport): number {
  if (report.passed) return EXIT.OK;
  return report.unreachable ? EXIT.UNREACHABLE : EXIT.FAILED;
}

/** One verify run against the stack of `options.outputs` (or the local stack); resolves with the exit code. */
export async function verify(options: VerifyOptions = {}): Promise<{ exitCode: number; report?: RoundTripReport }> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  let target: VerifyTarget;
  try {
    target = await loadVerifyTarget(options.outputs, options.env ?? process.env);
  } catch (error) {
    print(`Error: ${(error as Error).message}`);
    return { exitCode: EXIT.USAGE };
  }
  print(`Verifying ${target.description}`);
  try {
    const report = await runRoundTrip(target, {
      identity: temporaryTenant(),
      onStep: (step) => print(formatStep(step)),
      ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
      ...(options.afterConnect ? { afterConnect: options.afterConnect } : {}),
    });
    const total = `${(report.totalMs / 1000).toFixed(1)} s`;
    if (report.passed) print(`Verified: every step passed (${total}).`);
    else print(`Verify FAILED at step "${report.failedStep}"${report.unreachable ? ' (unreachable)' : ''} (${total}).`);
    return { exitCode: exitCodeOf(report), report };
  } finally {
    target.close();
  }
}

function parseArguments(argv: readonly string[]): { outputs?: string } | number {
  const program = new Command()
    .name('npm run verify --')
    .description(
      'Prove a Remote Pop stack works: a temporary tenant pops a synthetic Scripting instance, reads the events feed ' +
        'and a webhook delivery, recalls a pop, is refused a wrong password; everything it created is removed.',
    )
    .option('-o, --outputs <file>', 'a `cdk deploy --outputs-file` file (default: $LOCAL_DIR/endpoints.json)')
    .addHelpText(
      'after',
      '\nExit codes: 0 every step passed, 1 a step failed, 2 usage, 3 the stack is unreachable.\n' +
        'Examples: npm run verify\n          npm run verify -- --outputs cdk-outputs.json',
    )
    .showHelpAfterError('(npm run verify -- --help for usage)')
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? EXIT.OK : EXIT.USAGE;
  }
  return program.opts<{ outputs?: string }>();
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (typeof parsed === 'number') return parsed;
  return (await verify(parsed.outputs !== undefined ? { outputs: parsed.outputs } : {})).exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`verify failed: ${error.stack ?? error.message}\n`);
      process.exit(EXIT.FAILED);
    },
  );
}
