/**
 * What keeps a local queue's messages across a stack restart (`startLocalStack({ dataDir })`): every change to a
 * message is appended as one JSON line before the call that made it is answered, so a stop, a crash or a `kill -9`
 * of the stack loses none that SQS would have accepted. Opening the journal replays it and writes it again compacted
 * (one line per message still held), so it grows only with what changed since the last start.
 *
 * Times are epoch milliseconds of the machine's clock, so a delay or a visibility timeout keeps running while the stack
 * is down, as SQS's do while nothing polls. Receipt handles are not kept: the consumer that held one is gone too.
 */
import * as path from 'node:path';
import { readJournal, rewriteJournal } from '../jsonLinesJournal';

export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

export type JournalEntry =
  { readonly op: 'put'; readonly message: StoredMessage } | { readonly op: 'delete'; readonly messageId: string };

export interface QueueJournal {
  /** The messages held when the journal was opened, oldest first. */
  readonly messages: readonly StoredMessage[];
  /** The message as it is now (sent, received, its visibility changed). */
  put(message: StoredMessage): void;
  delete(messageId: string): void;
}

/** The messages a journal's entries leave held, oldest first. */
function replay(entries: readonly JournalEntry[]): StoredMessage[] {
  const held = new Map<string, StoredMessage>();
  for (const entry of entries) {
    if (entry.op === 'put') held.set(entry.message.messageId, { ...entry.message });
    else held.delete(entry.messageId);
  }
  return [...held.values()].sort((a, b) => a.sentAt - b.sentAt);
}

const snapshot = ({ messageId, body, md5OfBody, sentAt, visibleAt, receiveCount, firstReceivedAt }: StoredMessage) => ({
  messageId,
  body,
  md5OfBody,
  sentAt,
  visibleAt,
  receiveCount,
  ...(firstReceivedAt !== undefined ? { firstReceivedAt } : {}),
});

/** Opens (or creates) the journal at `file`: replayed, compacted, then appended to. */
export function openQueueJournal(file: string): QueueJournal {
  const messages = replay(readJournal<JournalEntry>(file));
  const append = rewriteJournal<JournalEntry>(
    file,
    messages.map((message) => ({ op: 'put', message: snapshot(message) })),
  );
  return {
    messages,
    put: (message) => append({ op: 'put', message: snapshot(message) }),
    delete: (messageId) => append({ op: 'delete', messageId }),
  };
}

/** A named queue's journal option: `<dataDir>/<name>.jsonl` with a data folder, none (in memory) without one. */
export const journalOf = (dataDir: string | undefined, name: string): { journal?: QueueJournal } =>
  dataDir ? { journal: openQueueJournal(path.join(dataDir, `${name}.jsonl`)) } : {};
