/**
 * The SQS API calls the handlers make (lambdas/clients/queueClient.ts: SendMessageBatch, ChangeMessageVisibility), on
 * SQS's JSON protocol (`x-amz-target: AmazonSQS.<Action>`, `application/x-amz-json-1.0`), with SQS's limits and its
 * error shape (`__type` and `x-amzn-query-error`), for the queues at `http://127.0.0.1:<port>/<account>/<name>`.
 * SendMessage, ReceiveMessage, DeleteMessage and GetQueueAttributes are served too, so a developer (or a test) can
 * look into the dead-letter queue with any SQS client. Signatures are required but not verified (local/README.md).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MessageQueue, QueueRefusal } from './messageQueue';

const MAX_BODY_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;

interface BatchEntry {
  readonly Id?: unknown;
  readonly MessageBody?: unknown;
  readonly DelaySeconds?: unknown;
}

const isSeconds = (value: unknown, max: number) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;

function checkEntry(entry: BatchEntry): string | undefined {
  if (typeof entry.MessageBody !== 'string' || entry.MessageBody.length === 0) return 'MessageBody is required.';
  if (Buffer.byteLength(entry.MessageBody) > MAX_BODY_BYTES)
    return `MessageBody is longer than ${MAX_BODY_BYTES} bytes.`;
  if (entry.DelaySeconds !== undefined && !isSeconds(entry.DelaySeconds, MAX_DELAY_SECONDS))
    return 'DelaySeconds must be 0 to 900.';
  return undefined;
}

function sendMessageBatch(queue: MessageQueue, input: { Entries?: BatchEntry[] }) {
  const entries = input.Entries ?? [];
  if (entries.length === 0)
    throw new QueueRefusal(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  if (entries.length > 10)
    throw new QueueRefusal('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  const ids = entries.map((e) => e.Id);
  if (ids.some((id) => typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id)))
    throw new QueueRefusal('InvalidBatchEntryId', 'A batch entry id is not valid.');
  if (new Set(ids).size !== ids.length)
    throw new QueueRefusal('BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
  const Successful: object[] = [];
  const Failed: object[] = [];
  for (const entry of entries) {
    const problem = checkEntry(entry);
    if (problem) {
      Failed.push({ Id: entry.Id, SenderFault: true, Code: 'InvalidParameterValue', Message: problem });
      continue;
    }
    const message = queue.send(entry.MessageBody as string, (entry.DelaySeconds as number | undefined) ?? 0);
    Successful.push({ Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody });
  }
  return { Successful, Failed };
}

function receiveMessage(queue: MessageQueue, input: Record<string, unknown>) {
  const max = input.MaxNumberOfMessages ?? 1;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10)
    throw new QueueRefusal('InvalidParameterValue', 'MaxNumberOfMessages must be 1 to 10.');
  if (input.VisibilityTimeout !== undefined && !isSeconds(input.VisibilityTimeout, MAX_VISIBILITY_SECONDS))
    throw new QueueRefusal('InvalidParameterValue', 'VisibilityTimeout must be 0 to 43200.');
  const messages = queue.receive(max as number, input.VisibilityTimeout as number | undefined);
  if (messages.length === 0) return {};
  return {
    Messages: messages.map((m) => ({
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
      Attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      },
    })),
  };
}

function queueAttributes(queue: MessageQueue) {
  const counts = queue.counts();
  return {
    Attributes: {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    },
  };
}

function answer(queue: MessageQueue, action: string, input: Record<string, unknown>): object {
  switch (action) {
    case 'ReceiveMessage':
      return receiveMessage(queue, input);
    case 'DeleteMessage':
      if (typeof input.ReceiptHandle !== 'string')
        throw new QueueRefusal('MissingParameter', 'ReceiptHandle is required.');
      queue.delete(input.ReceiptHandle);
      return {};
    case 'GetQueueAttributes':
      return queueAttributes(queue);
    case 'SendMessageBatch':
      return sendMessageBatch(queue, input as { Entries?: BatchEntry[] });
    case 'SendMessage': {
      const problem = checkEntry(input);
      if (problem) throw new QueueRefusal('InvalidParameterValue', problem);
      const message = queue.send(input.MessageBody as string, (input.DelaySeconds as number | undefined) ?? 0);
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
    }
    case 'ChangeMessageVisibility':
      if (typeof input.ReceiptHandle !== 'string')
        throw new QueueRefusal('MissingParameter', 'ReceiptHandle is required.');
      if (!isSeconds(input.VisibilityTimeout, MAX_VISIBILITY_SECONDS))
        throw new QueueRefusal('InvalidParameterValue', 'VisibilityTimeout must be 0 to 43200.');
      queue.changeVisibility(input.ReceiptHandle, input.VisibilityTimeout as number);
      return {};
    default:
      throw new QueueRefusal('InvalidAction', `The action ${action} is not valid for this endpoint.`);
  }
}

/**
 * The query-protocol codes SQS names in `x-amzn-query-error` where they differ from the JSON error's name (SQS's
 * service model, as @aws-sdk/client-sqs carries it); the SDK names the error it throws from this header.
 */
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
};

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-query-error': `${QUERY_ERROR_CODES[code] ?? code};Sender`,
  });
  res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type QueuesByUrl = ReadonlyMap<string, MessageQueue>;

async function handle(queues: QueuesByUrl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target.startsWith('AmazonSQS.'))
    return refuse(res, 400, 'InvalidAction', 'Only the JSON protocol is served.');
  if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
    return refuse(res, 403, 'MissingAuthenticationToken', 'The request must be signed.');
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(await readBody(req)) as Record<string, unknown>;
  } catch {
    return refuse(res, 400, 'SerializationException', 'The body is not JSON.');
  }
  const queue = queues.get(String(input.QueueUrl));
  if (!queue) return refuse(res, 400, 'QueueDoesNotExist', 'The specified queue does not exist.');
  try {
    const result = answer(queue, target.slice('AmazonSQS.'.length), input);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(result));
  } catch (error) {
    if (!(error instanceof QueueRefusal)) throw error;
    refuse(res, 400, error.code, error.message);
  }
}

export interface QueueServer {
  /** The URL of each queue, by name. */
  readonly urls: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Serves `queues` (by name) on one port. */
export async function startQueueServer(
  queues: Readonly<Record<string, MessageQueue>>,
  options: { port?: number } = {},
): Promise<QueueServer> {
  const byUrl = new Map<string, MessageQueue>();
  const server: Server = createServer((req, res) => {
    handle(byUrl, req, res).catch((error: Error) => refuse(res, 500, 'InternalError', error.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urls: Record<string, string> = {};
  for (const [name, queue] of Object.entries(queues)) {
    urls[name] = `http://127.0.0.1:${port}/000000000000/${name}`;
    byUrl.set(urls[name], queue);
  }
  return {
    urls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
