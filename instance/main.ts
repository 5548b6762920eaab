/**
 * `npm run instance -- --config <file>`: the reference Scripting instance (see instance/README.md).
 * Also exports `startInstance` for in-process use.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from './config';
import { createConsoleLogger } from './log';
import { startInstance } from './instance';

export { startInstance } from './instance';
export type { RunningInstance, StartOptions } from './instance';

/** Exit codes, as every CLI of this project uses them (provisioning/errors.ts): help 0, failure 1, usage or config 2. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** The config file's path, or the exit code once commander has printed help or a usage error. */
function parseArguments(argv: readonly string[]): string | number {
  const program = new Command()
    .name('npm run instance --')
    .description(
      "Reference Scripting instance: holds agents' Desktop sessions and receives Remote Pops over the WebSocket API.",
    )
    // Not requiredOption: commander checks required options before unknown ones, so `--confg x` would be answered
    // "required option not specified" instead of naming the misspelled option.
    .option('-c, --config <file>', 'instance config, JSON or YAML (see instance/README.md); required')
    .addHelpText(
      'after',
      '\nExit codes: 0 stopped cleanly, 1 failed, 2 usage or config error, 130 interrupted twice.\nExample: npm run instance -- --config .local/instance.json',
    )
    .showHelpAfterError('(npm run instance -- --help for usage)')
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? EXIT.OK : EXIT.USAGE;
  }
  const file = program.opts<{ config?: string }>().config;
  if (file !== undefined) return file;
  process.stderr.write(
    "error: required option '-c, --config <file>' not specified\n(npm run instance -- --help for usage)\n",
  );
  return EXIT.USAGE;
}

export async function main(argv: readonly string[]): Promise<number> {
  const file = parseArguments(argv);
  if (typeof file === 'number') return file;

  let config;
  try {
    config = loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const log = createConsoleLogger(config.logLevel);
  const instance = await startInstance(config, { logger: log });
  if (!config.plugin.enabled && !instance.control) {
    log.info('nothing to do with the plugin disabled and no control surface (controlPort): exiting');
    await instance.stop();
    return 0;
  }

  return untilStopped(instance, log);
}

/**
 * Resolves with the exit code once a signal has stopped the instance. A Ctrl-C under `npm start` arrives as SIGINT
 * from the terminal and then SIGTERM from the stack stopping its children (local/stack.ts): any signal during the
 * stop lets it finish and exit 0; only a second SIGINT a second or more after the first exits at once (130).
 */
function untilStopped(
  instance: { stop(): Promise<void> },
  log: ReturnType<typeof createConsoleLogger>,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let firstAt: number | undefined;
    const shutdown = (signal: NodeJS.Signals) => {
      if (firstAt !== undefined) {
        if (signal === 'SIGINT' && Date.now() - firstAt >= 1000) resolve(EXIT.INTERRUPTED);
        return;
      }
      firstAt = Date.now();
      log.info('stopping', { signal });
      void instance.stop().then(() => {
        log.info('stopped');
        resolve(EXIT.OK);
      });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`instance failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
