/**
 * The local SQS emulation (local/queue/): the semantics the webhook sender relies on, with a fake clock, and the
 * wire format of lambdas/clients/queueClient.ts against the emulated endpoint.
 */
import { createQueueClient } from '../../../lambdas/clients/queueClient';
import { MessageQueue, QueueRefusal } from '../../../local/queue/messageQueue';
import { startQueueServer } from '../../../local/queue/queueServer';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function clockedQueue(options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {}) {
  let now = 1_000_000;
  const queue = new MessageQueue({ ...options, now: () => now });
  return { queue, advance: (seconds: number) => (now += seconds * 1000) };
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
});

describe("the emulated endpoint with the handlers' queue client", () => {
  test('SendMessageBatch in chunks of 10 with delays, ChangeMessageVisibility, and SQS errors for what SQS refuses', async () => {
    const queue = new MessageQueue();
    const server = await startQueueServer(queue, { name: 'q' });
    try {
      const client = createQueueClient({ region: 'us-east-1' }, credentials);
      const messages = Array.from({ length: 12 }, (_, i) => ({
        id: `m${i}`,
        body: `body ${i}`,
        ...(i === 0 ? { delaySeconds: 60 } : {}),
      }));
      expect(await client.sendBatch(server.queueUrl, messages)).toEqual({ failed: [] });
      const received = queue.receive(20);
      expect(received.map((m) => m.body)).toEqual(messages.slice(1).map((m) => m.body));
      await client.changeVisibility(server.queueUrl, received[0]!.receiptHandle!, 300);
      await expect(client.changeVisibility(server.queueUrl, 'nonsense', 5)).rejects.toThrow(/ReceiptHandleIsInvalid/);
      await expect(client.changeVisibility(server.queueUrl, received[0]!.receiptHandle!, 43_201)).rejects.toThrow(
        /InvalidParameterValue/,
      );
      await expect(client.sendBatch(`${server.queueUrl}-other`, messages.slice(0, 1))).rejects.toThrow(
        /QueueDoesNotExist/,
      );
      const unsigned = await fetch(new URL(server.queueUrl).origin, {
        method: 'POST',
        headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
        body: '{}',
      });
      expect(unsigned.status).toBe(403);
    } finally {
      await server.stop();
    }
  });
});
