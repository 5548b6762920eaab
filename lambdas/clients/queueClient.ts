/**
 * The two SQS calls the webhooks make (SendMessageBatch, ChangeMessageVisibility), over SQS's JSON protocol with a
 * SigV4 signature. `@aws-sdk/client-sqs` is not among the project's packages; this is the same wire request it sends.
 * The endpoint is the queue URL's origin, so locally (local/queue/) the same client reaches the emulated queue.
 */
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
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

/** Node's crypto behind the hash interface SignatureV4 expects. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

export function createQueueClient(settings: { region: string }, credentials?: ClientCredentials): QueueClient {
  const signer = new SignatureV4({
    service: 'sqs',
    region: settings.region,
    sha256: Sha256 as never,
    credentials: credentials ?? defaultProvider(),
  });
  const call = async (queueUrl: string, action: string, payload: object): Promise<Record<string, unknown>> => {
    const url = new URL(queueUrl);
    const body = JSON.stringify({ QueueUrl: queueUrl, ...payload });
    const request = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body,
    });
    const response = await fetch(`${url.origin}/`, {
      method: 'POST',
      headers: request.headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok)
      throw Object.assign(new Error(`SQS ${action} failed: ${response.status} ${text.slice(0, 200)}`), {
        name: 'QueueError',
      });
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  return {
    async sendBatch(queueUrl, messages) {
      const failed: string[] = [];
      for (let i = 0; i < messages.length; i += 10) {
        const entries = messages
          .slice(i, i + 10)
          .map((m) => ({ Id: m.id, MessageBody: m.body, ...(m.delaySeconds ? { DelaySeconds: m.delaySeconds } : {}) }));
        const answer = await call(queueUrl, 'SendMessageBatch', { Entries: entries });
        failed.push(...((answer.Failed as { Id: string }[] | undefined) ?? []).map((f) => f.Id));
      }
      return { failed };
    },
    async changeVisibility(queueUrl, receiptHandle, seconds) {
      await call(queueUrl, 'ChangeMessageVisibility', { ReceiptHandle: receiptHandle, VisibilityTimeout: seconds });
    },
  };
}
