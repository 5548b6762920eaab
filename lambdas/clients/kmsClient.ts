/**
 * The two KMS calls of the webhook secrets (lambdas/webhooks/secretBox.ts) through @aws-sdk/client-kms, importing only
 * those two commands. The key is named on Decrypt too, so KMS refuses a data key of any other key. Locally the
 * endpoint is the KMS emulation (local/kms/), signed with the local credentials.
 */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Settings } from '../shared/settings';
import type { DataKeys } from '../webhooks/secretBox';
import type { ClientCredentials } from './awsClients';

export interface KmsDataKeys extends DataKeys {
  destroy(): void;
}

export function createDataKeys(
  settings: Pick<Settings, 'region' | 'webhookKeyId' | 'kmsEndpoint'>,
  credentials?: ClientCredentials,
): KmsDataKeys {
  const KeyId = settings.webhookKeyId;
  if (!KeyId) throw new Error('No webhook secrets key: WEBHOOK_KEY_ID is not set.');
  const kms = new KMSClient({
    region: settings.region,
    ...(settings.kmsEndpoint ? { endpoint: settings.kmsEndpoint } : {}),
    maxAttempts: 3,
    ...(credentials ? { credentials } : {}),
  });
  return {
    async generate(context) {
      const answer = await kms.send(
        new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
      );
      return { plaintext: answer.Plaintext!, encrypted: answer.CiphertextBlob! };
    },
    async decrypt(encrypted, context) {
      const answer = await kms.send(
        new DecryptCommand({ KeyId, CiphertextBlob: encrypted, EncryptionContext: { ...context } }),
      );
      return answer.Plaintext!;
    },
    destroy: () => kms.destroy(),
  };
}
