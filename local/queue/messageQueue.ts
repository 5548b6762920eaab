/**
 * One emulated SQS standard queue, with what the webhook sender relies on (lambdas/webhooks/senderHandler.ts):
 * per-message delay, a visibility timeout per receive that ChangeMessageVisibility replaces, the receive count the
 * sender reads as its attempt number, and a redrive policy that moves a message received more than `maxReceiveCount`
 * times to its dead-letter queue instead of handing it out again (as SQS does on the receive that would exceed it).
 *
 * In memory, or kept in a journal (queueJournal.ts) that every change reaches before it is answered. `timeScale`
 * compresses the waits a client asks for (DelaySeconds, ChangeMessageVisibility): with 60, the back-off's 5 minutes
 * pass in 5 real seconds, so a test runs the production schedule (local/README.md). The queue's own visibility
 * timeout is not scaled: it guards the consumer's real work (a real invocation, a real 5 s HTTP timeout).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { QueueJournal, StoredMessage } from './queueJournal';

export interface QueuedMessage extends StoredMessage {
  /** The receipt handle of its last receive; a handle of an earlier receive no longer changes it. */
  receiptHandle?: string;
}

export interface MessageQueueOptions {
  /** The queue's default visibility timeout, in real seconds. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives after which a message goes to the dead-letter queue. @default 8 */
  readonly maxReceiveCount?: number;
  /** How many seconds of a client's delay or visibility pass per real second. @default 1 */
  readonly timeScale?: number;
  /** Where the messages are kept across restarts; in memory when absent. */
  readonly journal?: QueueJournal;
  /** Where a message goes after `maxReceiveCount` receives; one of its own (in memory) when absent. */
  readonly deadLetterQueue?: MessageQueue;
  readonly now?: () => number;
}

export class QueueRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export class MessageQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly byHandle = new Map<string, string>();
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  private readonly msPerSecond: number;
  private readonly journal: QueueJournal | undefined;
  private readonly deadLetterQueue: MessageQueue | undefined;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(options: MessageQueueOptions = {}) {
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
    this.maxReceiveCount = options.maxReceiveCount ?? 8;
    this.msPerSecond = 1000 / (options.timeScale ?? 1);
    this.journal = options.journal;
    this.now = options.now ?? Date.now;
    this.deadLetterQueue =
      options.deadLetterQueue ??
      (Number.isFinite(this.maxReceiveCount)
        ? new MessageQueue({ maxReceiveCount: Infinity, now: this.now })
        : undefined);
    for (const message of this.journal?.messages ?? []) this.messages.set(message.messageId, { ...message });
  }

  /** The messages of the dead-letter queue, oldest first. */
  get deadLetters(): QueuedMessage[] {
    return this.deadLetterQueue?.all() ?? [];
  }

  /** Called after every send, so a poller waiting for work wakes at once. */
  onSend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(body: string, delaySeconds = 0): QueuedMessage {
    const at = this.now();
    return this.adopt({
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      sentAt: at,
      visibleAt: at + delaySeconds * this.msPerSecond,
      receiveCount: 0,
    });
  }

  /**
   * Up to `max` visible messages, oldest first, each now in flight for the queue's visibility timeout (or the
   * `visibilitySeconds` the receive asks for, scaled as a client's wait is).
   */
  receive(max: number, visibilitySeconds?: number): QueuedMessage[] {
    const at = this.now();
    const inFlightMs =
      visibilitySeconds === undefined ? this.visibilityTimeoutSeconds * 1000 : visibilitySeconds * this.msPerSecond;
    const received: QueuedMessage[] = [];
    for (const message of this.all()) {
      if (received.length >= max) break;
      if (message.visibleAt > at) continue;
      if (message.receiveCount >= this.maxReceiveCount && this.deadLetterQueue) {
        // SQS keeps the message id, the body and the times when it moves a message to the dead-letter queue.
        const { receiptHandle: _handle, ...moved } = message;
        // Into the dead-letter queue's journal first: a crash in between leaves it in both queues, never in neither.
        this.deadLetterQueue.adopt({ ...moved, visibleAt: at });
        this.remove(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= at;
      message.visibleAt = at + inFlightMs;
      if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
      message.receiptHandle = randomUUID();
      this.byHandle.set(message.receiptHandle, message.messageId);
      this.journal?.put(message);
      received.push(message);
    }
    return received;
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.messageOf(receiptHandle);
    message.visibleAt = this.now() + seconds * this.msPerSecond;
    this.journal?.put(message);
  }

  delete(receiptHandle: string): void {
    const id = this.byHandle.get(receiptHandle);
    const message = id === undefined ? undefined : this.messages.get(id);
    if (message) this.remove(message);
  }

  /** When the next message becomes visible (Infinity when none waits). */
  nextVisibleAt(): number {
    let next = Infinity;
    for (const message of this.messages.values()) next = Math.min(next, message.visibleAt);
    return next;
  }

  counts() {
    const at = this.now();
    const all = [...this.messages.values()];
    const visible = all.filter((m) => m.visibleAt <= at).length;
    return { visible, notVisible: all.length - visible, deadLetters: this.deadLetters.length };
  }

  private all(): QueuedMessage[] {
    return [...this.messages.values()].sort((a, b) => a.sentAt - b.sentAt);
  }

  private adopt(message: QueuedMessage): QueuedMessage {
    this.messages.set(message.messageId, message);
    this.journal?.put(message);
    this.listeners.forEach((listener) => listener());
    return message;
  }

  private messageOf(receiptHandle: string): QueuedMessage {
    const id = this.byHandle.get(receiptHandle);
    const message = id === undefined ? undefined : this.messages.get(id);
    if (!message)
      throw new QueueRefusal('ReceiptHandleIsInvalid', `The receipt handle "${receiptHandle}" is not valid.`);
    if (message.visibleAt <= this.now())
      throw new QueueRefusal('MessageNotInflight', 'The message referred to is not in flight.');
    return message;
  }

  private remove(message: QueuedMessage): void {
    this.messages.delete(message.messageId);
    if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
    this.journal?.delete(message.messageId);
  }
}
