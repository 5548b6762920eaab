/**
 * One emulated SQS standard queue in memory, with what the webhook sender relies on (lambdas/webhooks/senderHandler.ts):
 * per-message delay, a visibility timeout per receive that ChangeMessageVisibility replaces, the receive count the
 * sender reads as its attempt number, and a redrive policy that moves a message received more than `maxReceiveCount`
 * times to the dead-letter list instead of handing it out again (as SQS does on the receive that would exceed it).
 */
import { createHash, randomUUID } from 'node:crypto';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  /** When it may next be received (delay, then the visibility timeout of its last receive). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of its last receive; a handle of an earlier receive no longer changes it. */
  receiptHandle?: string;
}

export interface MessageQueueOptions {
  /** The queue's default visibility timeout. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives after which a message goes to the dead-letter list. @default 8 */
  readonly maxReceiveCount?: number;
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
  readonly deadLetters: QueuedMessage[] = [];
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(options: MessageQueueOptions = {}) {
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
    this.maxReceiveCount = options.maxReceiveCount ?? 8;
    this.now = options.now ?? Date.now;
  }

  /** Called after every send, so a poller waiting for work wakes at once. */
  onSend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(body: string, delaySeconds = 0): QueuedMessage {
    const at = this.now();
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      sentAt: at,
      visibleAt: at + delaySeconds * 1000,
      receiveCount: 0,
    };
    this.messages.set(message.messageId, message);
    this.listeners.forEach((listener) => listener());
    return message;
  }

  /** Up to `max` visible messages, oldest first, each now in flight for the queue's visibility timeout. */
  receive(max: number): QueuedMessage[] {
    const at = this.now();
    const received: QueuedMessage[] = [];
    for (const message of [...this.messages.values()].sort((a, b) => a.sentAt - b.sentAt)) {
      if (received.length >= max) break;
      if (message.visibleAt > at) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.remove(message);
        this.deadLetters.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= at;
      message.visibleAt = at + this.visibilityTimeoutSeconds * 1000;
      if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
      message.receiptHandle = randomUUID();
      this.byHandle.set(message.receiptHandle, message.messageId);
      received.push(message);
    }
    return received;
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.messageOf(receiptHandle);
    message.visibleAt = this.now() + seconds * 1000;
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
  }
}
