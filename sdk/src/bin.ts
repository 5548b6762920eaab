/** The `remote-pop` executable (package.json `bin`): runs cli.ts with this process's environment and streams. */
import { runCli } from './cli';

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    // Exit now, once the output is written: a sign-in the command no longer waits for (an unreachable stack) would
    // otherwise keep retrying in the background until the SDK's deadline.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    // A bug, not a refusal: the name and message only (an SDK error carries no secret; a stack helps no operator).
    process.stderr.write(`Error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
