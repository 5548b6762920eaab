/**
 * The dependencies of the two routes that seal a new secret (create, rotate), apart from webhookHandlers.ts so that
 * only their bundles carry the KMS client (the list, get, delete and test routes never touch a secret).
 */
import type { AwsClients } from '../clients/awsClients';
import { createDataKeys } from '../clients/kmsClient';
import type { Settings } from '../shared/settings';
import { SecretBox } from './secretBox';
import { webhookDependencies, type WebhookSealDependencies } from './webhookHandlers';

/** The routes that seal a new secret: the key from the clients (locally) or built from the settings (in AWS). */
export const webhookSealDependencies = (
  settings: Pick<
    Settings,
    'tableName' | 'region' | 'webhookKeyId' | 'kmsEndpoint' | 'webhookAllowLoopbackHttp' | 'webhookDeniedPorts'
  >,
  clients: Pick<AwsClients, 'db' | 'dataKeys'>,
): WebhookSealDependencies => ({
  ...webhookDependencies(settings, clients),
  box: new SecretBox(clients.dataKeys ?? createDataKeys(settings)),
});
