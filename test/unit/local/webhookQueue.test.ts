/**
 * The local SQS emulation (local/queue/): the semantics the webhook sender relies on, with a fake clock, the time
 * scale, the journal that keeps messages across a restart, and the emulated endpoint answering @aws-sdk/client-sqs
 * (the handlers' client, lambdas/clients/queueClient.ts, and the calls an operator makes on the dead-letter queue).
 */
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createQueueClient } from '../../../lambdas/clients/queueClient';
import { MessageQueue, QueueRefusal } from '../../../local/queue/messageQueue';
import { openQueueJournal } from '../../../local/queue/queueJournal';
import { startQueueServer } from '../../../local/queue/queueServer';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

type ClockedOptions = Omit<ConstructorParameters<typeof MessageQueue>[0] & object, 'now'>;

function clockedQueue(options: ClockedOptions = {}) {
  let now = 1_000_000;
  const queue = new MessageQueue({ ...options, now: () => now });
  return { queue, advance: (seconds: number) => (now += seconds * 1000), now: () => now };
}

describe('MessageQueue', () => {
  test('a delayed message is not received before its delay; a received one is in flight for the visibility timeout', () => {
    const { queue, advance } = clockedQueue({ visibilityTimeoutSeconds: 30 });
    queue.send('late', 5);
    queue.send('now');
    expect(queue.receive(10).map((m) => m.body)).toEqual(['now']);
    advance(5);
    expect(queue.receive(10).map((m) => m.body)).toEqual(['late']);
    expect(queue.receive(10)).toEqual([]);
    advance(30);
    const again = queue.receive(10);
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([
      ['late', 2],
      ['now', 2],
    ]);
  });

  test('ChangeMessageVisibility sets when it returns; a deleted message never does; a stale handle is refused', () => {
    const { queue, advance } = clockedQueue();
    queue.send('a');
    const firstHandle = queue.receive(1)[0]!.receiptHandle!;
    queue.changeVisibility(firstHandle, 2);
    advance(1);
    expect(queue.receive(1)).toEqual([]);
    advance(1);
    const [second] = queue.receive(1);
    expect(second!.receiveCount).toBe(2);
    expect(() => queue.changeVisibility(firstHandle, 0)).toThrow(QueueRefusal);
    queue.delete(second!.receiptHandle!);
    advance(3600);
    expect(queue.receive(10)).toEqual([]);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, deadLetters: 0 });
  });

  test('after maxReceiveCount receives the next receive moves it to the dead-letter list instead of handing it out', () => {
    const { queue } = clockedQueue({ maxReceiveCount: 3 });
    queue.send('doomed');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [message] = queue.receive(1);
      expect(message!.receiveCount).toBe(attempt);
      queue.changeVisibility(message!.receiptHandle!, 0);
    }
    expect(queue.receive(1)).toEqual([]);
    expect(queue.deadLetters.map((m) => m.body)).toEqual(['doomed']);
  });

  test('with a time scale a delay and a visibility change last that many times less real time; the visibility timeout does not', () => {
    const { queue, advance } = clockedQueue({ timeScale: 60, visibilityTimeoutSeconds: 30 });
    queue.send('in five minutes', 300);
    advance(4.9);
    expect(queue.receive(1)).toEqual([]);
    advance(0.1);
    const [message] = queue.receive(1);
    expect(message!.body).toBe('in five minutes');
    // Received: in flight for the queue's own 30 real seconds, not 30 / 60.
    advance(29);
    expect(queue.receive(1)).toEqual([]);
    queue.changeVisibility(message!.receiptHandle!, 1800);
    advance(29.9);
    expect(queue.receive(1)).toEqual([]);
    advance(0.1);
    expect(queue.receive(1).map((m) => m.receiveCount)).toEqual([2]);
  });
});

describe('the journal (a stack restarted over the same data folder)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'queue-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a queue opened again holds every message not deleted, with its delay, receive count and dead letters', () => {
    const file = path.join(dir, 'q.jsonl');
    const dlqFile = path.join(dir, 'dlq.jsonl');
    let now = 1_000_000;
    const open = () => {
      const deadLetterQueue = new MessageQueue({ maxReceiveCount: Infinity, journal: openQueueJournal(dlqFile) });
      return new MessageQueue({ maxReceiveCount: 1, deadLetterQueue, journal: openQueueJournal(file), now: () => now });
    };
    const first = open();
    first.send('delivered');
    first.send('retried');
    first.send('doomed');
    first.send('later', 600);
    const [delivered, retried, doomed] = first.receive(3);
    first.delete(delivered!.receiptHandle!);
    first.changeVisibility(retried!.receiptHandle!, 60);
    first.changeVisibility(doomed!.receiptHandle!, 0);
    expect(first.receive(10)).toEqual([]); // 'doomed' moves to the dead letters
    // WHEN the process ends without any stop (nothing is flushed at the end) and a new queue opens the same files
    const second = open();
    // THEN
    expect(second.deadLetters.map((m) => [m.body, m.receiveCount])).toEqual([['doomed', 1]]);
    expect(second.receive(10)).toEqual([]);
    now += 60_000;
    expect(second.receive(10).map((m) => [m.body, m.receiveCount])).toEqual([]);
    // 'retried' was received once already: the next receive dead-letters it (maxReceiveCount 1), as SQS would.
    expect(second.deadLetters.map((m) => m.body)).toEqual(['doomed', 'retried']);
    now += 540_000;
    expect(second.receive(10).map((m) => [m.body, m.receiveCount])).toEqual([['later', 1]]);
  });

  test('opening compacts the journal to one line per message held, and a torn last line is ignored', () => {
    const file = path.join(dir, 'q.jsonl');
    const queue = new MessageQueue({ journal: openQueueJournal(file) });
    for (let i = 0; i < 5; i++) queue.send(`m${i}`);
    for (const message of queue.receive(4)) queue.delete(message.receiptHandle!);
    appendFileSync(file, '{"op":"put","message":{"messageId":"torn"');
    const reopened = new MessageQueue({ journal: openQueueJournal(file) });
    expect(reopened.receive(10).map((m) => m.body)).toEqual(['m4']);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2); // compacted line + the receive just made
  });
});

describe("the emulated endpoint with the handlers' queue client (@aws-sdk/client-sqs)", () => {
  test('SendMessageBatch in chunks of 10 with delays, ChangeMessageVisibility, and SQS errors for what SQS refuses', async () => {
    const queue = new MessageQueue();
    const server = await startQueueServer({ q: queue });
    const queueUrl = server.urls.q!;
    try {
      const client = createQueueClient({ region: 'us-east-1', webhookQueueUrl: queueUrl }, credentials);
      const messages = Array.from({ length: 12 }, (_, i) => ({
        id: `m${i}`,
        body: `body ${i}`,
        ...(i === 0 ? { delaySeconds: 60 } : {}),
      }));
      expect(await client.sendBatch(queueUrl, messages)).toEqual({ failed: [] });
      const received = queue.receive(20);
      expect(received.map((m) => m.body)).toEqual(messages.slice(1).map((m) => m.body));
      await client.changeVisibility(queueUrl, received[0]!.receiptHandle!, 300);
      // The SDK names each error as SQS's model does (x-amzn-query-error, local/queue/queueServer.ts).
      await expect(client.changeVisibility(queueUrl, 'nonsense', 5)).rejects.toMatchObject({
        name: 'ReceiptHandleIsInvalid',
      });
      await expect(client.changeVisibility(queueUrl, received[0]!.receiptHandle!, 43_201)).rejects.toMatchObject({
        name: 'InvalidParameterValue',
      });
      await expect(client.sendBatch(`${queueUrl}-other`, messages.slice(0, 1))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
      const tooLong = [
        { id: 'big', body: 'x'.repeat(256 * 1024 + 1) },
        { id: 'ok', body: 'fine' },
      ];
      expect(await client.sendBatch(queueUrl, tooLong)).toEqual({ failed: ['big'] });
      const unsigned = await fetch(new URL(queueUrl).origin, {
        method: 'POST',
        headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
        body: '{}',
      });
      expect(unsigned.status).toBe(403);
    } finally {
      await server.stop();
    }
  });

  test('an SQS client reads the dead-letter queue: GetQueueAttributes, ReceiveMessage with its attributes, DeleteMessage', async () => {
    const deadLetterQueue = new MessageQueue({ maxReceiveCount: Infinity });
    const queue = new MessageQueue({ maxReceiveCount: 1, deadLetterQueue });
    const server = await startQueueServer({ q: queue, dlq: deadLetterQueue });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: new URL(server.urls.q!).origin, credentials });
    try {
      queue.send('doomed');
      queue.changeVisibility(queue.receive(1)[0]!.receiptHandle!, 0);
      expect(queue.receive(1)).toEqual([]);
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: server.urls.dlq!, AttributeNames: ['All'] }),
      );
      expect(attributes.Attributes).toMatchObject({
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: server.urls.dlq!, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
      );
      expect(Messages!.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['doomed', '2']]);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: server.urls.dlq!, ReceiptHandle: Messages![0]!.ReceiptHandle }),
      );
      expect(deadLetterQueue.counts()).toEqual({ visible: 0, notVisible: 0, deadLetters: 0 });
      expect(await sqs.send(new ReceiveMessageCommand({ QueueUrl: server.urls.dlq! }))).not.toHaveProperty('Messages');
      await expect(
        sqs.send(new ReceiveMessageCommand({ QueueUrl: server.urls.dlq!, MaxNumberOfMessages: 11 })),
      ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    } finally {
      sqs.destroy();
      await server.stop();
    }
  });
});
