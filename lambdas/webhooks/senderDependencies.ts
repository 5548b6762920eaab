/** The sender's dependencies from the settings (kept apart from senderHandler.ts so tests build it with fakes). */
import { createQueueClient } from '../clients/queueClient';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';
import { DEFAULT_RETRY_SECONDS } from './backoff';
import { postSigned } from './delivery';
import { urlRulesOf } from './urlGuard';
import type { SenderDependencies } from './senderHandler';
import { WebhookStore } from './webhookStore';

export const senderDependencies = (
  settings: Pick<
    Settings,
    | 'tableName'
    | 'region'
    | 'webhookQueueUrl'
    | 'webhookRetrySeconds'
    | 'webhookAllowLoopbackHttp'
    | 'webhookDeniedPorts'
  >,
  clients: Pick<AwsClients, 'db' | 'queue'>,
): SenderDependencies => ({
  webhooks: new WebhookStore(clients.db, settings.tableName),
  queue: clients.queue ?? createQueueClient(settings),
  queueUrl: settings.webhookQueueUrl ?? '',
  retrySeconds: settings.webhookRetrySeconds ?? DEFAULT_RETRY_SECONDS,
  post: (url, body, headers) => postSigned(url, body, headers, urlRulesOf(settings)),
  now: Date.now,
});
