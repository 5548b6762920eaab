/**
 * The `remote-pop` commands (sdk/src/cli.ts parses the arguments and reports failures): each takes the client, the
 * parsed options and the positionals, prints its result for people or as JSON lines, and resolves with the exit code.
 * A new command is one entry in COMMANDS and one line of USAGE (cli.ts).
 */
import type { RemotePopClient } from './client';
import type { PopRequest, PopStatusResult, ScriptValue, Webhook } from './types';

export const EXIT = { done: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export class UsageError extends Error {}

/** The options every command may read (cli.ts OPTIONS). */
export interface CommandValues {
  readonly agent?: string;
  readonly campaign?: string;
  readonly reference?: string;
  readonly data?: string[];
  readonly 'idempotency-key'?: string;
  readonly hold?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly after?: string;
  readonly limit?: string;
  readonly follow?: boolean;
  readonly url?: string;
  readonly event?: string[];
  readonly json?: boolean;
}

export interface CommandContext {
  readonly client: RemotePopClient;
  readonly values: CommandValues;
  readonly args: readonly string[];
  readonly print: (human: string, json: unknown) => void;
  readonly signal: AbortSignal;
}

type Command = (context: CommandContext) => Promise<number>;

/** The body of `pop` and `validate` (a new request field is one option in cli.ts and one line here). */
export function popRequestOf(values: CommandValues): PopRequest {
  if (!values.agent) throw new UsageError('needs --agent');
  if (!values.campaign) throw new UsageError('needs --campaign');
  const scriptData: Record<string, ScriptValue> = Object.create(null) as Record<string, ScriptValue>;
  for (const pair of values.data ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--data takes 'Name=value' (got "${pair}")`);
    scriptData[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return {
    Username: values.agent,
    Campaign: values.campaign,
    ...(values.reference === undefined ? {} : { Reference: values.reference }),
    ...(values.data === undefined ? {} : { ScriptData: scriptData }),
    ...(values.hold === undefined ? {} : { HoldSeconds: holdSecondsOf(values.hold) }),
  };
}

/** --hold: whole seconds, 1 to 86,400 (a day), as POST /pop's HoldSeconds. */
function holdSecondsOf(text: string): number {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
    throw new UsageError(`--hold takes whole seconds from 1 to 86400 (got "${text}")`);
  return seconds;
}

function positiveNumber(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${option} takes a number greater than 0 (got "${text}")`);
  return value;
}

const timeoutMsOf = (values: CommandValues) => positiveNumber('timeout', values.timeout ?? '60') * 1000;

/** The one PopId (or WebhookId) a command takes. */
function oneId(args: readonly string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`takes one ${what}`);
  return args[0]!;
}

function noArgs(args: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`takes no positional argument (got "${args[0]}")`);
}

export function describePop(pop: PopStatusResult): string {
  const reason = pop.Reason ? ` (${pop.Reason})` : '';
  const reference = pop.Reference ? ` reference ${pop.Reference}` : '';
  return `${pop.PopId} ${pop.Status}${reason}: agent ${pop.Username}, campaign ${pop.Campaign}${reference}, updated ${pop.UpdatedAt}`;
}

const describeWebhook = (w: Webhook) =>
  `${w.WebhookId} ${w.State} ${w.Url} events ${w.Events.join(',')}` +
  `${w.LastError ? ` last error: ${w.LastError}` : ''}, ${w.DeadLettered} dead-lettered`;

async function watchPop(context: CommandContext, popId: string): Promise<number> {
  const { client, values, print, signal } = context;
  const onStatus = (pop: PopStatusResult) => print(describePop(pop), pop);
  await client.waitFor(popId, { until: 'Opened', timeoutMs: timeoutMsOf(values), onStatus, signal });
  return EXIT.done;
}

const pop: Command = async (context) => {
  const { client, values, args, print, signal } = context;
  noArgs(args);
  const request = popRequestOf(values);
  const idempotencyKey = values['idempotency-key'] ?? globalThis.crypto.randomUUID();
  const { PopId: popId, Status } = await client.popAccepted(request, { idempotencyKey, signal });
  if (Status === 'Held')
    print(
      `Held ${popId} (Idempotency-Key ${idempotencyKey}): agent ${request.Username} is on no Desktop; delivered when they appear, or Expired after ${request.HoldSeconds} s`,
      { PopId: popId, Status, IdempotencyKey: idempotencyKey },
    );
  else print(`Popped ${popId} (Idempotency-Key ${idempotencyKey})`, { PopId: popId, IdempotencyKey: idempotencyKey });
  return values.wait ? watchPop(context, popId) : EXIT.done;
};

const validate: Command = async ({ client, values, args, print, signal }) => {
  noArgs(args);
  const result = await client.validate(popRequestOf(values), { signal });
  if (result.Status === 'Held') {
    print(`Would be held: agent ${values.agent} is on no Desktop; the checks run when they appear`, result);
    return EXIT.done;
  }
  print(
    `Valid: ${result.Checks.length} checks passed on ${result.Instances} instance(s)` +
      `${result.UncheckedInstances ? `, ${result.UncheckedInstances} publishing no catalogue` : ''}`,
    result,
  );
  return EXIT.done;
};

const status: Command = async ({ client, args, print, signal }) => {
  const found = await client.getPop(oneId(args, 'PopId'), { signal });
  print(describePop(found), found);
  return EXIT.done;
};

const recall: Command = async ({ client, args, print, signal }) => {
  const recalled = await client.recall(oneId(args, 'PopId'), { signal });
  print(describePop(recalled), recalled);
  return EXIT.done;
};

const campaigns: Command = async ({ client, args, print, signal }) => {
  if (args.length > 1) throw new UsageError('takes at most one campaign name');
  const list = args.length === 1 ? [await client.campaign(args[0]!, { signal })] : await client.campaigns({ signal });
  if (list.length === 0) print('No campaign: no connected instance of your tenant publishes one.', []);
  for (const c of list) {
    const where = c.Instances.map(
      (i) =>
        `${i.Instance} (${i.Active ? 'active' : 'inactive'}, ${i.Workflow}, links: ${i.ExternalLinks.map((l) => l.Name).join(', ') || 'none'})`,
    );
    print(`${c.Name}: ${c.Agents} agent(s) can receive it; on ${where.join('; ')}`, c);
  }
  return EXIT.done;
};

const events: Command = async ({ client, values, args, print, signal }) => {
  noArgs(args);
  const limit = values.limit === undefined ? undefined : positiveNumber('limit', values.limit);
  const feed = client.events({
    ...(values.after === undefined ? {} : { after: values.after }),
    ...(limit === undefined ? {} : { limit }),
    follow: values.follow === true,
    signal,
  });
  for await (const { event, cursor } of feed) {
    print(`${cursor} ${event.OccurredAt} ${event.PopId} ${event.Status} agent ${event.Username}`, event);
  }
  return EXIT.done;
};

const webhooks: Command = async (context) => {
  const { client, values, args, print, signal } = context;
  const [action, ...rest] = args;
  if (action === 'list') {
    noArgs(rest);
    const list = await client.listWebhooks({ signal });
    if (list.length === 0) print('No webhook endpoint.', []);
    for (const w of list) print(describeWebhook(w), w);
    return EXIT.done;
  }
  if (action === 'create') {
    noArgs(rest);
    if (!values.url) throw new UsageError('create needs --url');
    const request = {
      Url: values.url,
      ...(values.event ? { Events: values.event as PopStatusResult['Status'][] } : {}),
    };
    const created = await client.createWebhook(request, { signal });
    print(`${describeWebhook(created)}\nSecret (shown once): ${created.Secret}`, created);
    return EXIT.done;
  }
  return webhookById(context, action, rest);
};

async function webhookById(context: CommandContext, action: string | undefined, rest: string[]): Promise<number> {
  const { client, print, signal } = context;
  const id = () => oneId(rest, 'WebhookId');
  switch (action) {
    case 'get': {
      const found = await client.getWebhook(id(), { signal });
      print(describeWebhook(found), found);
      return EXIT.done;
    }
    case 'rotate': {
      const rotated = await client.rotateWebhookSecret(id(), { signal });
      print(
        `New secret (shown once): ${rotated.Secret}; the old one signs too until ${rotated.PreviousSecretExpiresAt}`,
        rotated,
      );
      return EXIT.done;
    }
    case 'test': {
      const queued = await client.testWebhook(id(), { signal });
      print(
        `Test delivery queued (${queued.MessageId}); its outcome shows in 'webhooks get ${queued.WebhookId}'`,
        queued,
      );
      return EXIT.done;
    }
    case 'delete': {
      const webhookId = id();
      await client.deleteWebhook(webhookId, { signal });
      print(`Deleted ${webhookId}`, { WebhookId: webhookId, Deleted: true });
      return EXIT.done;
    }
    default:
      throw new UsageError(`takes create, list, get, rotate, test or delete (got "${action ?? ''}")`);
  }
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  pop,
  validate,
  status,
  watch: (context) => watchPop(context, oneId(context.args, 'PopId')),
  recall,
  campaigns,
  events,
  webhooks,
};
