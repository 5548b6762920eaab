/**
 * `npm run instance -- --config <file>`: the reference Scripting instance (see instance/README.md).
 * Also exports `startInstance` for in-process use.
 */
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config';
import { createConsoleLogger } from './log';
import { startInstance } from './instance';

export { startInstance } from './instance';
export type { RunningInstance, StartOptions } from './instance';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('npm run instance --')
    .description('Reference Scripting instance: holds agents\' Desktop sessions and receives Remote Pops over the WebSocket API.')
    .requiredOption('-c, --config <file>', 'instance config, JSON or YAML (see instance/README.md)')
    .addHelpText('after', '\nExample: npm run instance -- --config .local/instance.json')
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code ?? 2;
  }
  const file = program.opts<{ config: string }>().config;

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

  return new Promise<number>((resolve) => {
    let signalled = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (signalled) {
        resolve(1);
        return;
      }
      signalled = true;
      log.info('stopping', { signal });
      void instance.stop().then(() => {
        log.info('stopped');
        resolve(0);
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
