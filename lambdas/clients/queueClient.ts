/**
 * The two SQS calls the webhooks make (SendMessageBatch, ChangeMessageVisibility) through @aws-sdk/client-sqs, behind
 * the narrow interface the webhook code and its tests' fakes use. The endpoint is the queue URL's origin (in AWS the
 * regional SQS endpoint itself), so locally the same client reaches the emulated queue (local/queue/).
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Settings } from '../shared/settings';
import type { ClientCredentials } from './awsClients';

export interface QueueMessage {
  readonly id: string;
  readonly body: string;
  readonly delaySeconds?: number;
}

export interface QueueClient {
  sendBatch(queueUrl: string, messages: readonly QueueMessage[]): Promise<{ failed: string[] }>;
  changeVisibility(queueUrl: string, receiptHandle: string, seconds: number): Promise<void>;
}

/** SQS takes at most 10 entries per SendMessageBatch. */
const BATCH = 10;

export function createQueueClient(
  settings: Pick<Settings, 'region'> & Partial<Pick<Settings, 'webhookQueueUrl'>>,
  credentials?: ClientCredentials,
): QueueClient {
  const sqs = new SQSClient({
    region: settings.region,
    ...(settings.webhookQueueUrl ? { endpoint: new URL(settings.webhookQueueUrl).origin } : {}),
    maxAttempts: 3,
    ...(credentials ? { credentials } : {}),
  });
  return {
    async sendBatch(queueUrl, messages) {
      const failed: string[] = [];
      for (let i = 0; i < messages.length; i += BATCH) {
        const Entries = messages.slice(i, i + BATCH).map((m) => ({
          Id: m.id,
          MessageBody: m.body,
          ...(m.delaySeconds ? { DelaySeconds: m.delaySeconds } : {}),
        }));
        const answer = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
        failed.push(...(answer.Failed ?? []).map((f) => f.Id!));
      }
      return { failed };
    },
    async changeVisibility(queueUrl, receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}
