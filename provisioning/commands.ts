/**
 * What each command does, apart from parsing (main.ts): validate input first (no network for a typo), then resolve
 * the target, act through the Cognito client, and print for a person (or JSON for a script).
 */
import { createInterface } from 'readline';
import { checkUserSpec, createTenantUser, ROLE_TO_GROUP, type Role } from './tenantUsers';
import { CliError, EXIT, type ErrorContext } from './errors';
import { formatCount, formatUserDetails, formatUserTable, userToJson } from './format';
import { generatePassword, passwordProblems, type PasswordPolicy } from './password';
import { resolveTarget, type Target, type TargetDependencies, type TargetOptions } from './target';
import { UserDirectory } from './userDirectory';
import { revocationLine, revokeUser } from './revocation';
import { keyForNewUser } from './tenantCommands';

/** Where the CLI reads and writes, so tests can run it in process. */
export interface Io {
  /** Print a line on stdout (results). */
  out(line: string): void;
  /** Print a line on stderr (diagnostics, the target, errors). */
  err(line: string): void;
  /** True when a person can answer a question on stdin. */
  readonly interactive: boolean;
  /** Ask a question (on stderr) and read one line of answer. */
  ask(question: string): Promise<string>;
  /** Read all of stdin (for --password-stdin). */
  readStdin(): Promise<string>;
  readonly env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY),
    ask: (question) =>
      new Promise((resolve) => {
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        prompt.question(question, (answer) => {
          prompt.close();
          resolve(answer);
        });
      }),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}

/** What every command receives: its I/O, the target options, and what an error message may name. */
export interface CommandContext {
  readonly io: Io;
  readonly target: TargetOptions;
  readonly deps?: TargetDependencies;
  /** Filled as the command learns it; run() uses it to word an error. */
  readonly errorContext: { -readonly [K in keyof ErrorContext]: ErrorContext[K] };
}

interface PasswordOptions {
  readonly password?: string;
  readonly passwordStdin?: boolean;
}

/** Resolve the target, say which it is (stderr, so --json output stays clean), and close its client afterwards. */
async function withTarget<T>(context: CommandContext, act: (target: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(context.target, context.io.env, context.deps);
  context.errorContext.target = target.description;
  context.errorContext.endpoint = target.endpoint;
  context.io.err(`Target: ${target.description}`);
  try {
    return await act(target);
  } finally {
    target.client.destroy();
  }
}

/** The password a person gave (--password or --password-stdin), or undefined to generate one. */
async function givenPassword(io: Io, options: PasswordOptions): Promise<string | undefined> {
  if (options.password !== undefined && options.passwordStdin) {
    throw new CliError('Use --password or --password-stdin, not both.', EXIT.USAGE);
  }
  if (options.passwordStdin) {
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (!password) throw new CliError('--password-stdin read an empty password.', EXIT.INVALID_INPUT);
    return password;
  }
  if (options.password === '') throw new CliError('--password is empty.', EXIT.INVALID_INPUT);
  return options.password;
}

/** Check a given password against the pool's policy first: the local emulator checks none, Cognito would. */
function checkAgainstPolicy(policy: PasswordPolicy | undefined, password: string): void {
  if (!policy) return;
  const problems = passwordProblems(password, policy);
  if (problems.length > 0) {
    throw new CliError(
      `The password does not meet the user pool's policy: it needs ${problems.join(', ')}. ` +
        'Leave out --password to have a strong one generated.',
      EXIT.INVALID_INPUT,
    );
  }
}

function showGeneratedPassword(io: Io, password: string): void {
  io.out(`Password: ${password}`);
  io.err('This password is shown once and cannot be read back: hand it over now through a secret manager.');
}

export interface CreateOptions extends PasswordOptions {
  readonly tenant: string;
  readonly username: string;
  readonly role: Role;
  readonly email?: string;
  readonly json?: boolean;
}

export async function createUser(options: CreateOptions, context: CommandContext): Promise<void> {
  const { io } = context;
  context.errorContext.username = options.username;
  checkUserSpec(options);
  if (options.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(options.email)) {
    throw new CliError(`Invalid email "${options.email}".`, EXIT.INVALID_INPUT);
  }
  const given = await givenPassword(io, options);
  await withTarget(context, async (target) => {
    const directory = new UserDirectory(target.client, target.userPoolId);
    const policy = await directory.passwordPolicy();
    if (given !== undefined) checkAgainstPolicy(policy, given);
    const password = given ?? generatePassword(policy?.MinimumLength);
    await createTenantUser(target.client, target.userPoolId, {
      tenant: options.tenant,
      username: options.username,
      role: options.role,
      password,
      email: options.email,
    });
    const group = ROLE_TO_GROUP[options.role];
    await tenantKeyLine(context, options.tenant);
    if (options.json) {
      io.out(
        JSON.stringify({
          Username: options.username,
          Tenant: options.tenant,
          Role: options.role,
          Groups: [group],
          Email: options.email ?? null,
          UserPoolId: target.userPoolId,
          ...(given === undefined ? { Password: password } : {}),
        }),
      );
      if (given === undefined) io.err('The password is shown once and cannot be read back.');
      return;
    }
    io.out(
      `Created user "${options.username}" of tenant "${options.tenant}" with role ${options.role} (group ${group}).`,
    );
    if (given === undefined) showGeneratedPassword(io, password);
  });
}

/**
 * The tenant's API key on the default usage plan (limits per tenant, provisioning/tenantKeys.ts), said on stderr; the
 * user exists either way, so a failure here says how to finish instead of failing the command.
 */
async function tenantKeyLine(context: CommandContext, tenant: string): Promise<void> {
  try {
    const line = await keyForNewUser(context, tenant);
    if (line) context.io.err(line);
  } catch (error) {
    context.io.err(
      `The user is created, but its tenant's API key is not on a usage plan (${(error as Error).name}): ` +
        `run tenant keys --tenant ${tenant}; until then its calls are refused 403.`,
    );
  }
}

export async function listUsers(options: { tenant?: string; json?: boolean }, context: CommandContext): Promise<void> {
  const { io } = context;
  if (options.tenant !== undefined) checkUserSpec({ tenant: options.tenant, username: 'x' });
  await withTarget(context, async (target) => {
    const users = await new UserDirectory(target.client, target.userPoolId).list({ tenant: options.tenant });
    if (options.json) {
      io.out(JSON.stringify(users.map(userToJson), null, 2));
      return;
    }
    if (users.length > 0) io.out(formatUserTable(users));
    io.out(formatCount(users.length, options.tenant));
  });
}

export async function showUser(username: string, options: { json?: boolean }, context: CommandContext): Promise<void> {
  context.errorContext.username = username;
  await withTarget(context, async (target) => {
    const user = await new UserDirectory(target.client, target.userPoolId).show(username);
    context.io.out(options.json ? JSON.stringify(userToJson(user), null, 2) : formatUserDetails(user));
  });
}

export async function setEnabled(username: string, enabled: boolean, context: CommandContext): Promise<void> {
  context.errorContext.username = username;
  await withTarget(context, async (target) => {
    const directory = new UserDirectory(target.client, target.userPoolId);
    if (enabled) {
      await directory.enable(username);
      context.io.out(`User "${username}" enabled: it can sign in again.`);
    } else {
      await directory.disable(username);
      const revoked = revocationLine(await revokeUser(context, username));
      context.io.out(`User "${username}" disabled: it can no longer sign in or refresh tokens. ${revoked}`);
    }
  });
}

export async function deleteUser(username: string, options: { yes?: boolean }, context: CommandContext): Promise<void> {
  const { io } = context;
  context.errorContext.username = username;
  if (!options.yes && !io.interactive) {
    throw new CliError(
      `Refusing to delete "${username}" without confirmation (no terminal to ask on): add --yes.`,
      EXIT.USAGE,
    );
  }
  await withTarget(context, async (target) => {
    const directory = new UserDirectory(target.client, target.userPoolId);
    if (!options.yes) {
      const user = await directory.show(username);
      const answer = await io.ask(
        `Delete user "${username}" (tenant ${user.tenant ?? '-'}, role ${user.role ?? 'none'}) from ${target.description}? ` +
          'This cannot be undone. [y/N] ',
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        throw new CliError('Cancelled: nothing was deleted.', EXIT.CANCELLED);
      }
    }
    await directory.delete(username);
    io.out(`User "${username}" deleted. ${revocationLine(await revokeUser(context, username))}`);
  });
}

export async function setPassword(username: string, options: PasswordOptions, context: CommandContext): Promise<void> {
  const { io } = context;
  context.errorContext.username = username;
  const given = await givenPassword(io, options);
  await withTarget(context, async (target) => {
    const directory = new UserDirectory(target.client, target.userPoolId);
    const policy = await directory.passwordPolicy();
    if (given !== undefined) checkAgainstPolicy(policy, given);
    const password = given ?? generatePassword(policy?.MinimumLength);
    await directory.setPassword(username, password);
    io.out(`Password of "${username}" set (permanent).`);
    if (given === undefined) showGeneratedPassword(io, password);
  });
}
