/**
 * The provisioning CLI: provision tenants' users in the Remote Pop user pool, locally or in a deployed stack.
 * This file wires commander only; commands.ts does the work. `npm run provision -- --help`.
 */
import { Command, CommanderError, Option } from 'commander';
import { version } from '../package.json';
import {
  createUser,
  deleteUser,
  listUsers,
  processIo,
  setEnabled,
  setPassword,
  showUser,
  type CommandContext,
  type Io,
} from './commands';
import { cliFailure, EXIT } from './errors';
import type { TargetDependencies, TargetOptions } from './target';
import type { TableTargetOptions } from './tableTarget';
import { listWebhooks, removeWebhook, type WebhookCommandContext } from './webhookCommands';
import { replayEvents, type EventCommandContext, type PipelineTargetOptions } from './eventCommands';
import { tenantKeys, tenantLimits } from './tenantCommands';

const BIN = 'remote-pop-provision';

const TARGET_HELP = `
Target (one of; default: the local stack's $LOCAL_DIR/endpoints.json, LOCAL_DIR defaulting to .local):
  --endpoints FILE            an endpoints.json (UserPoolId, Region, CognitoEndpoint when local)
  --stack NAME [--region R]   a deployed stack: its UserPoolId output (CloudFormation DescribeStacks)
  --user-pool-id ID [--region R]
Deployed targets use the standard AWS credential chain (AWS_PROFILE, environment, SSO, instance role).`;

const EXIT_HELP = `
Exit codes: 0 ok, 1 unexpected, 2 usage, 3 user (or webhook) not found, 4 already exists, 5 invalid input (tenant, username,
email, password), 6 target or credentials (no target, unknown stack or pool, no/expired credentials, unreachable),
7 cancelled at a confirmation.`;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${BIN} ${line}`).join('\n')}\n`;
}

function withTargetOptions(command: Command): Command {
  return command
    .option('--endpoints <file>', 'target the user pool of this endpoints.json')
    .option('--stack <name>', "target a deployed stack's user pool (its UserPoolId output)")
    .option('--user-pool-id <id>', 'target a user pool by id')
    .option('--region <region>', 'AWS region for --stack or --user-pool-id (default: AWS_REGION or the profile)');
}

function targetOf(options: TargetOptions): TargetOptions {
  return { endpoints: options.endpoints, stack: options.stack, userPoolId: options.userPoolId, region: options.region };
}

function passwordOptions(command: Command, what: string): Command {
  return command
    .option(
      '--password <password>',
      `${what} (default: a strong generated one, shown once); visible in the process list`,
    )
    .option('--password-stdin', `read ${what} from stdin instead`);
}

function buildProgram(io: Io, context: ContextOf, tableContext: TableContextOf): Command {
  const program = new Command(BIN)
    .description(
      "Provision tenants' users (API callers and Scripting instances) in the Remote Pop user pool, and manage their webhooks.",
    )
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `${TARGET_HELP}\n${EXIT_HELP}`);

  const user = program
    .command('user')
    .description('create, list, show, disable, enable, delete users, or set their password')
    .addHelpText(
      'after',
      examples('user create --tenant acme --username acme-crm --role api', 'user list --tenant acme'),
    );
  addCreateCommand(user, context);
  addReadCommands(user, context);
  addAdminCommands(user, context);
  addTenantCommands(program, context);
  addWebhookCommands(program, tableContext);
  addEventCommands(program, (target) => ({ ...tableContext({}), target }) as EventCommandContext);
  return program;
}

/** `events replay`: the stream batches the event source gave up, handled again (eventCommands.ts). */
function addEventCommands(program: Command, context: (target: PipelineTargetOptions) => EventCommandContext): void {
  const events = program.command('events').description("the event feed's pipeline (the table's stream)");
  events
    .command('replay')
    .description(
      'replay what the stream gave up after its retries (the on-failure queue): each event reaches the feed once, ' +
        'after the cursors already handed out, and its webhooks; within 24 hours of the write',
    )
    .option('--endpoints <file>', 'target the stack of this endpoints.json (default: the local stack)')
    .option('--stack <name>', 'target a deployed stack (its TableName and StreamFailureQueueUrl outputs)')
    .option('--region <region>', 'AWS region for --stack (default: AWS_REGION or the profile)')
    .option('--json', 'print the counts as JSON')
    .addHelpText('after', examples('events replay', 'events replay --stack RemotePop --region eu-west-1'))
    .action((options: PipelineTargetOptions & { json?: boolean }) =>
      replayEvents(options, context({ endpoints: options.endpoints, stack: options.stack, region: options.region })),
    );
}

type ContextOf = (target: TargetOptions) => CommandContext;
type TableContextOf = (target: TableTargetOptions) => WebhookCommandContext;

function withTableOptions(command: Command): Command {
  return command
    .option('--endpoints <file>', 'target the table of this endpoints.json (TableName, DynamoDbEndpoint when local)')
    .option('--stack <name>', "target a deployed stack's table (its TableName output)")
    .option('--table <name>', 'target a table by name')
    .option('--region <region>', 'AWS region for --stack or --table (default: AWS_REGION or the profile)');
}

function tableTargetOf(options: TableTargetOptions): TableTargetOptions {
  return { endpoints: options.endpoints, stack: options.stack, table: options.table, region: options.region };
}

/** `webhooks list` and `webhooks remove`: a tenant's webhook endpoints, in the table (not the user pool). */
function addWebhookCommands(program: Command, context: TableContextOf): void {
  const webhooks = program
    .command('webhooks')
    .description("list or remove a tenant's webhook endpoints (registered through POST /webhooks)")
    .addHelpText('after', examples('webhooks list --tenant acme', 'webhooks remove --tenant acme --id 0b6f...'));
  withTableOptions(
    webhooks
      .command('list')
      .description("list a tenant's webhooks: id, URL, events, state, created, last delivery (never the secrets)")
      .requiredOption('--tenant <tenant>', 'the customer')
      .option('--json', 'print a JSON array, as GET /webhooks answers'),
  )
    .addHelpText(
      'after',
      examples(
        'webhooks list --tenant acme',
        'webhooks list --tenant acme --json --stack RemotePop --region eu-west-1',
      ),
    )
    .action((options) => listWebhooks(options, context(tableTargetOf(options))));
  withTableOptions(
    webhooks
      .command('remove')
      .description("remove one of a tenant's webhooks (exit 3 when the tenant has no such webhook)")
      .requiredOption('--tenant <tenant>', 'the customer')
      .requiredOption('--id <webhookId>', 'the WebhookId (webhooks list shows it)')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('webhooks remove --tenant acme --id 0b6f...'))
    .action((options) => removeWebhook(options, context(tableTargetOf(options))));
}

/** `user create`. */
function addCreateCommand(user: Command, context: ContextOf): void {
  withTargetOptions(
    passwordOptions(
      user
        .command('create')
        .description("create a tenant's user in its role group with a permanent password")
        .requiredOption('--tenant <tenant>', 'the customer: 2-63 lower-case letters, digits or hyphens')
        .requiredOption('--username <username>', 'the user: 1-128 letters, digits or . _ @ + -')
        .addOption(
          new Option('--role <role>', 'api (a system calling the REST API) or instance (a Scripting instance)')
            .choices(['api', 'instance'])
            .makeOptionMandatory(),
        )
        .option('--email <email>', 'a contact email, stored verified (no message is sent)')
        .option('--json', 'print the result as JSON (with the generated password, if any)'),
      'the password',
    ),
  )
    .addHelpText(
      'after',
      examples(
        'user create --tenant acme --username acme-crm --role api',
        'user create --tenant acme --username acme-scripting-1 --role instance --stack RemotePop --region eu-west-1',
        'user create --tenant acme --username acme-crm --role api --password-stdin < password.txt',
      ),
    )
    .action((options) => createUser(options, context(targetOf(options))));
}

/** `user list` and `user show`. */
function addReadCommands(user: Command, context: ContextOf): void {
  withTargetOptions(
    user
      .command('list')
      .description('list users (all tenants, or one) with role, status and creation date')
      .option('--tenant <tenant>', 'only the users of this tenant')
      .option('--json', 'print a JSON array for scripts'),
  )
    .addHelpText(
      'after',
      examples('user list', 'user list --tenant acme --json', 'user list --stack RemotePop --region eu-west-1'),
    )
    .action((options) => listUsers(options, context(targetOf(options))));

  withTargetOptions(
    user.command('show').description('show one user').argument('<username>').option('--json', 'print JSON'),
  )
    .addHelpText('after', examples('user show acme-crm', 'user show acme-crm --json'))
    .action((username: string, options) => showUser(username, options, context(targetOf(options))));
}

/** `user disable`, `user enable`, `user delete` and `user set-password`. */
function addAdminCommands(user: Command, context: ContextOf): void {
  withTargetOptions(
    user.command('disable').description('stop a user from signing in (reversible)').argument('<username>'),
  )
    .addHelpText('after', examples('user disable acme-crm'))
    .action((username: string, options) => setEnabled(username, false, context(targetOf(options))));

  withTargetOptions(user.command('enable').description('let a disabled user sign in again').argument('<username>'))
    .addHelpText('after', examples('user enable acme-crm'))
    .action((username: string, options) => setEnabled(username, true, context(targetOf(options))));

  withTargetOptions(
    user
      .command('delete')
      .description('delete a user for good (asks on a terminal; --yes otherwise)')
      .argument('<username>')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal)'),
  )
    .addHelpText('after', examples('user delete acme-crm', 'user delete acme-crm --yes --stack RemotePop'))
    .action((username: string, options) => deleteUser(username, options, context(targetOf(options))));

  withTargetOptions(
    passwordOptions(
      user
        .command('set-password')
        .description('set a permanent password (the user need not change it)')
        .argument('<username>'),
      'the new password',
    ),
  )
    .addHelpText(
      'after',
      examples('user set-password acme-crm', 'user set-password acme-crm --password-stdin < password.txt'),
    )
    .action((username: string, options) => setPassword(username, options, context(targetOf(options))));
}

/** `tenant keys` and `tenant limits`: each tenant's API key on a usage plan, its limits (docs/edge.md). */
function addTenantCommands(program: Command, context: ContextOf): void {
  const tenant = program.command('tenant').description("each tenant's API key and usage plan: its limits per tenant");
  withTargetOptions(
    tenant
      .command('keys')
      .description("put a tenant's API key on the default usage plan (user create does it for a new tenant)")
      .option('--tenant <tenant>', 'this tenant')
      .option('--all', 'every tenant with users in the pool (tenants provisioned before limits per tenant)'),
  )
    .addHelpText('after', examples('tenant keys --tenant acme', 'tenant keys --all --stack RemotePop'))
    .action((options) => tenantKeys(options, context(targetOf(options))));
  withTargetOptions(
    tenant
      .command('limits')
      .description("show a tenant's limits, give it its own (--rate, --burst), or put it back on the default (--reset)")
      .requiredOption('--tenant <tenant>', 'the tenant')
      .option('--rate <perSecond>', 'requests per second, all methods together')
      .option('--burst <requests>', 'burst')
      .option('--reset', 'back to the default usage plan')
      .option('--json', 'print JSON'),
  )
    .addHelpText('after', examples('tenant limits --tenant acme', 'tenant limits --tenant acme --rate 50 --burst 100'))
    .action((options) => tenantLimits(options, context(targetOf(options))));
}

/**
 * Run the CLI with `argv` (without node and script) and return its exit code. Never throws, never exits:
 * bin.js and the direct `tsx provisioning/main.ts` entry set process.exitCode; tests call it in process.
 */
export async function run(argv: readonly string[], io: Io = processIo(), deps?: TargetDependencies): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const errorContext: CommandContext['errorContext'] = {};
  const program = buildProgram(
    io,
    (target) => ({ io, target, deps, errorContext }),
    (target) => ({ io, target, deps, errorContext }),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with 0; every parse error (already printed by commander) is a usage error.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const described = cliFailure(error, errorContext);
    io.err(`Error: ${described.message}`);
    if (!described.expected) {
      if (io.env.VENDOR_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
      else io.err('Set VENDOR_DEBUG=1 to see the stack trace.');
    }
    return described.exitCode;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
