/**
 * POST/GET /webhooks, GET/DELETE /webhooks/{WebhookId}, POST /webhooks/{WebhookId}/rotate-secret and /test:
 * api-callers only, each reads and changes its own tenant's partition only (webhookStore.ts).
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import WebhookRequestValidator from '../../contract/generated/WebhookRequest';
import type { Webhook, WebhookRequest } from '../../contract/webhooks';
// From the plain constants: contract/webhooks.ts would bring the schema library into the bundle (about 45 KB).
import { MAX_WEBHOOKS_PER_TENANT } from '../../contract/limits';
import { apiCallerOf, type Caller } from '../auth/callerIdentity';
import { parseJsonBody } from '../edge/requestBody';
import { restHandler, type RestHandler, type RestInvocation } from '../edge/restHandler';
import type { RestOutcome } from '../edge/restAnswer';
import { isRefused, refuse } from '../shared/outcome';
import type { DeliveryMessage } from './deliveryMessage';
import type { SecretBox } from './secretBox';
import { newSealedSecret, rotateSecret } from './webhookSecrets';
import { checkWebhookUrl, urlRulesOf, type Resolver, type UrlRules } from './urlGuard';
import { WebhookStore, type StoredWebhook } from './webhookStore';
import { createQueueClient, type QueueClient } from '../clients/queueClient';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

const MAX_WEBHOOK_BODY_BYTES = 8 * 1024;

export interface WebhookDependencies {
  readonly webhooks: WebhookStore;
  readonly rules: UrlRules;
  readonly resolve: Resolver;
  readonly now: () => number;
  readonly newId: () => string;
}

/** What an api-caller sees of an endpoint: never its secrets. */
export function webhookView(stored: StoredWebhook, now: number): Webhook {
  const previousLive = stored.previousSecretExpiresAt !== undefined && Date.parse(stored.previousSecretExpiresAt) > now;
  return {
    WebhookId: stored.webhookId,
    Url: stored.url,
    Events: [...stored.events],
    State: stored.failingSince ? 'Failing' : 'Active',
    CreatedAt: stored.createdAt,
    DeadLettered: stored.deadLettered,
    ...(stored.lastDeliveryAt ? { LastDeliveryAt: stored.lastDeliveryAt } : {}),
    ...(stored.lastError ? { LastError: stored.lastError } : {}),
    ...(stored.failingSince ? { FailingSince: stored.failingSince } : {}),
    ...(previousLive ? { PreviousSecretExpiresAt: stored.previousSecretExpiresAt } : {}),
  };
}

/** Create and rotate seal a new secret (secretBox.ts); the other routes get no key, and no grant. */
export interface WebhookSealDependencies extends WebhookDependencies {
  readonly box: Pick<SecretBox, 'seal'>;
}

/** Only POST /webhooks/{WebhookId}/test queues a delivery; the other routes get no queue client, and no grant. */
export interface WebhookTestDependencies extends WebhookDependencies {
  readonly queue: Pick<QueueClient, 'sendBatch'>;
  readonly queueUrl: string;
}

const notFound = () => refuse('WebhookNotFound', 'No such webhook for your tenant.');
const ok = (result: unknown, status: 200 | 202 = 200): RestOutcome => ({ kind: 'success', status, result });

/** The handler shape every webhook route shares: the api-caller, then the operation. */
function callerHandler(operation: (caller: Caller, invocation: RestInvocation) => Promise<RestOutcome>): RestHandler {
  return restHandler(async (invocation) => {
    const caller = apiCallerOf(invocation.event);
    if (isRefused(caller)) return caller;
    invocation.log.appendKeys({ tenant: caller.tenant });
    return operation(caller, invocation);
  });
}

const webhookIdOf = (event: APIGatewayProxyEvent): string => {
  try {
    return decodeURIComponent(event.pathParameters?.WebhookId ?? '');
  } catch {
    return '';
  }
};

export function makeWebhookCreateHandler(deps: WebhookSealDependencies): RestHandler {
  return callerHandler(async (caller, { event }) => {
    const request = parseJsonBody<WebhookRequest>(
      event.body,
      event.isBase64Encoded,
      WebhookRequestValidator,
      MAX_WEBHOOK_BODY_BYTES,
    );
    if (request.kind === 'refused') return request;
    const check = await checkWebhookUrl(request.value.Url, deps.rules, deps.resolve);
    if (check.kind === 'refused')
      return refuse('WebhookUrlRefused', 'This URL may not receive webhooks.', { details: [check.reason] });
    if ((await deps.webhooks.list(caller.tenant)).length >= MAX_WEBHOOKS_PER_TENANT) {
      return refuse('TooManyWebhooks', `A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first.`);
    }
    const webhookId = deps.newId();
    const { secret, sealed } = await newSealedSecret(deps.box, caller.tenant, webhookId);
    const stored: StoredWebhook & { sealedSecret: typeof sealed } = {
      tenant: caller.tenant,
      webhookId,
      url: check.url.href,
      events: request.value.Events ?? [],
      sealedSecret: sealed,
      createdAt: new Date(deps.now()).toISOString(),
      deadLettered: 0,
    };
    await deps.webhooks.put(stored);
    return ok({ ...webhookView(stored, deps.now()), Secret: secret });
  });
}

export const makeWebhookListHandler = (deps: WebhookDependencies): RestHandler =>
  callerHandler(async (caller) =>
    ok({ Webhooks: (await deps.webhooks.list(caller.tenant)).map((w) => webhookView(w, deps.now())) }),
  );

export const makeWebhookGetHandler = (deps: WebhookDependencies): RestHandler =>
  callerHandler(async (caller, { event }) => {
    const stored = await deps.webhooks.get(caller.tenant, webhookIdOf(event));
    return stored ? ok(webhookView(stored, deps.now())) : notFound();
  });

export const makeWebhookDeleteHandler = (deps: WebhookDependencies): RestHandler =>
  callerHandler(async (caller, { event }) => {
    const id = webhookIdOf(event);
    return (await deps.webhooks.remove(caller.tenant, id)) ? ok({ WebhookId: id }) : notFound();
  });

export const makeWebhookRotateHandler = (deps: WebhookSealDependencies): RestHandler =>
  callerHandler(async (caller, { event }) => {
    const id = webhookIdOf(event);
    const rotated = await rotateSecret(deps.webhooks, deps.box, caller.tenant, id, deps.now());
    if (!rotated) return notFound();
    return ok({ WebhookId: id, Secret: rotated.secret, PreviousSecretExpiresAt: rotated.previousExpiresAt });
  });

export const makeWebhookTestHandler = (deps: WebhookTestDependencies): RestHandler =>
  callerHandler(async (caller, { event }) => {
    const stored = await deps.webhooks.get(caller.tenant, webhookIdOf(event));
    if (!stored) return notFound();
    const messageId = `test_${deps.newId()}`;
    const payload = {
      Type: 'webhook.test' as const,
      WebhookId: stored.webhookId,
      OccurredAt: new Date(deps.now()).toISOString(),
    };
    const message: DeliveryMessage = { tenant: caller.tenant, webhookId: stored.webhookId, messageId, payload };
    await deps.queue.sendBatch(deps.queueUrl, [{ id: '0', body: JSON.stringify(message) }]);
    return ok({ WebhookId: stored.webhookId, MessageId: messageId }, 202);
  });

const resolveAll: Resolver = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

export const webhookDependencies = (
  settings: Pick<Settings, 'tableName' | 'webhookAllowLoopbackHttp' | 'webhookDeniedPorts'>,
  clients: Pick<AwsClients, 'db'>,
): WebhookDependencies => ({
  webhooks: new WebhookStore(clients.db, settings.tableName),
  rules: urlRulesOf(settings),
  resolve: resolveAll,
  now: Date.now,
  newId: randomUUID,
});

export const webhookTestDependencies = (
  settings: Pick<
    Settings,
    'tableName' | 'region' | 'webhookQueueUrl' | 'webhookAllowLoopbackHttp' | 'webhookDeniedPorts'
  >,
  clients: Pick<AwsClients, 'db' | 'queue'>,
): WebhookTestDependencies => ({
  ...webhookDependencies(settings, clients),
  queue: clients.queue ?? createQueueClient(settings),
  queueUrl: settings.webhookQueueUrl ?? '',
});
