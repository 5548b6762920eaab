/**
 * A handler's configuration object (lambdas/handlerFactories.ts) from a stack's settings: one SDK client per service,
 * as one container holds them. Used by the in-process runtime (lambdaRuntime.ts) and, bundled, by each execution
 * environment (environmentBundle.ts), so it imports no handler.
 */
import type { AwsClients, ClientCredentials } from '../../lambdas/clients/awsClients';
import { createCognitoClient } from '../../lambdas/clients/cognitoClient';
import { createConnectionsClient } from '../../lambdas/clients/connectionsClient';
import { createDocumentClient } from '../../lambdas/clients/documentClient';
import { createDataKeys, type KmsDataKeys } from '../../lambdas/clients/kmsClient';
import { createQueueClient } from '../../lambdas/clients/queueClient';
import type { HandlerConfig } from '../../lambdas/handlerFactories';
import { noMetrics, powertoolsMetrics, type MetricsSink } from '../../lambdas/shared/metrics';
import type { Settings } from '../../lambdas/shared/settings';

const INFO_LEVELS = new Set(['TRACE', 'DEBUG', 'INFO']);
/** True when the handlers log at INFO or below (POWERTOOLS_LOG_LEVEL, as the handlers' logger reads it). */
export function logsInfo(): boolean {
  const level = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  return INFO_LEVELS.has(level);
}

/** Metric lines appear where the handlers' INFO lines do. */
function defaultMetrics(namespace: string | undefined): MetricsSink {
  return logsInfo() ? powertoolsMetrics(namespace) : noMetrics;
}

/** One SDK client per service and the handlers' configuration, as one container holds them. */
export function handlerConfigFor(
  settings: Settings,
  credentials: ClientCredentials,
  metrics: MetricsSink = defaultMetrics(settings.metricsNamespace),
): HandlerConfig {
  const clients: AwsClients = {
    db: createDocumentClient(settings, credentials),
    management: createConnectionsClient(settings, credentials),
    cognito: createCognitoClient(settings, credentials),
    // Signed with the local credentials, as every other client here (the emulated queue, local/queue/).
    queue: createQueueClient(settings, credentials),
    // The hold timer's queue (lambdas/pops/holdExpiry.ts), served apart from the webhook queues (local/queue/holdQueue.ts).
    ...(settings.holdQueueUrl
      ? {
          holdQueue: createQueueClient(
            { region: settings.region, webhookQueueUrl: settings.holdQueueUrl },
            credentials,
          ),
        }
      : {}),
    // The KMS emulation (local/kms/) with the stack's key, for the functions that seal or open webhook secrets.
    ...(settings.webhookKeyId ? { dataKeys: createDataKeys(settings, credentials) } : {}),
  };
  return { settings, clients, metrics };
}

export function destroyClients(clients: AwsClients): void {
  clients.db.destroy();
  clients.management.destroy();
  clients.cognito.destroy();
  (clients.dataKeys as KmsDataKeys | undefined)?.destroy();
}
