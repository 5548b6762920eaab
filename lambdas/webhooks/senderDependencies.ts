/** The sender's dependencies from the settings (kept apart from senderHandler.ts so tests build it with fakes). */
import { createDataKeys } from '../clients/kmsClient';
import { createQueueClient } from '../clients/queueClient';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';
import { DEFAULT_RETRY_SECONDS } from './backoff';
import { postSigned } from './delivery';
import { urlRulesOf } from './urlGuard';
import type { SenderDependencies } from './senderHandler';
import { SecretBox } from './secretBox';
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
    | 'webhookKeyId'
    | 'kmsEndpoint'
  >,
  clients: Pick<AwsClients, 'db' | 'queue' | 'dataKeys'>,
): SenderDependencies => ({
  webhooks: new WebhookStore(clients.db, settings.tableName),
  queue: clients.queue ?? createQueueClient(settings),
  // One box per container: its cache of data keys lives as long as the container (secretBox.ts).
  box: new SecretBox(clients.dataKeys ?? createDataKeys(settings)),
  queueUrl: settings.webhookQueueUrl ?? '',
  retrySeconds: settings.webhookRetrySeconds ?? DEFAULT_RETRY_SECONDS,
  post: (url, body, headers) => postSigned(url, body, headers, urlRulesOf(settings)),
  now: Date.now,
});
