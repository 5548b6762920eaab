/**
 * `webhooks list` and `webhooks remove`: a tenant's webhook endpoints, read and removed through the same WebhookStore
 * the REST API uses (lambdas/webhooks/webhookStore.ts), shown as GET /webhooks shows them (never their secrets).
 */
import { TENANT_PATTERN } from '../lambdas/shared/identity';
import { webhookView } from '../lambdas/webhooks/webhookHandlers';
import { WebhookStore } from '../lambdas/webhooks/webhookStore';
import type { CommandContext } from './commands';
import { CliError, EXIT } from './errors';
import { formatTable } from './format';
import { resolveTableTarget, type TableTarget, type TableTargetOptions } from './tableTarget';

/** What the `webhooks` commands receive: the CLI's context with the table options in place of the pool's. */
export interface WebhookCommandContext extends Omit<CommandContext, 'target'> {
  readonly target: TableTargetOptions;
}

function checkTenant(tenant: string): void {
  if (!TENANT_PATTERN.test(tenant)) {
    throw new CliError(`Invalid tenant "${tenant}": 2-63 lower-case letters, digits or hyphens.`, EXIT.INVALID_INPUT);
  }
}

async function withTable<T>(
  context: WebhookCommandContext,
  act: (store: WebhookStore, target: TableTarget) => Promise<T>,
): Promise<T> {
  const target = await resolveTableTarget(context.target, context.io.env, context.deps);
  context.errorContext.target = target.description;
  context.errorContext.endpoint = target.endpoint;
  context.io.err(`Target: ${target.description}`);
  try {
    return await act(new WebhookStore(target.client, target.tableName), target);
  } finally {
    target.client.destroy();
  }
}

export async function listWebhooks(
  options: { tenant: string; json?: boolean },
  context: WebhookCommandContext,
): Promise<void> {
  const { io } = context;
  checkTenant(options.tenant);
  await withTable(context, async (store) => {
    const now = Date.now();
    const webhooks = (await store.list(options.tenant)).map((stored) => webhookView(stored, now));
    if (options.json) {
      io.out(JSON.stringify(webhooks, null, 2));
      return;
    }
    const rows = webhooks.map((w) => [
      w.WebhookId,
      w.Url,
      w.Events.length > 0 ? w.Events.join(',') : 'all',
      w.State,
      w.CreatedAt,
      w.LastDeliveryAt ?? '-',
    ]);
    if (rows.length > 0)
      io.out(formatTable(['WEBHOOK ID', 'URL', 'EVENTS', 'STATE', 'CREATED', 'LAST DELIVERY'], rows));
    io.out(`${webhooks.length} webhook${webhooks.length === 1 ? '' : 's'} of tenant "${options.tenant}"`);
  });
}

export async function removeWebhook(
  options: { tenant: string; id: string; json?: boolean },
  context: WebhookCommandContext,
): Promise<void> {
  const { io } = context;
  checkTenant(options.tenant);
  if (!options.id.trim()) throw new CliError('--id is empty.', EXIT.USAGE);
  await withTable(context, async (store) => {
    if (!(await store.remove(options.tenant, options.id))) {
      throw new CliError(`Webhook "${options.id}" of tenant "${options.tenant}" was not found.`, EXIT.NOT_FOUND);
    }
    if (options.json) io.out(JSON.stringify({ WebhookId: options.id, Tenant: options.tenant, Removed: true }));
    else io.out(`Webhook "${options.id}" of tenant "${options.tenant}" removed.`);
  });
}
