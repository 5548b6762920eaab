/**
 * What keeps the stream's records across a stack restart (`startLocalStack({ dataDir })`): each record is appended as
 * one JSON line when its write took effect, and the sequence number up to which the stream function has handled them
 * after each batch. Opening the journal replays it, keeps the records not yet handled (they are dispatched again, as
 * Lambda's event source resumes a shard from its checkpoint) and writes it again compacted.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { readJournal, rewriteJournal } from '../jsonLinesJournal';

type Entry = { readonly record: DynamoDBRecord } | { readonly handled: string };

export interface StreamJournal {
  /** The records not yet handled when the journal was opened, in order. */
  readonly pending: readonly DynamoDBRecord[];
  /** The highest sequence number the journal holds (0 when empty), so new records go after it. */
  readonly lastSequence: number;
  record(record: DynamoDBRecord): void;
  /** Every record up to and including `sequenceNumber` was handled. */
  handled(sequenceNumber: string): void;
}

const sequenceOf = (record: DynamoDBRecord) => Number(record.dynamodb?.SequenceNumber ?? 0);

export function openStreamJournal(file: string): StreamJournal {
  let pending: DynamoDBRecord[] = [];
  let lastSequence = 0;
  for (const entry of readJournal<Entry>(file)) {
    if ('record' in entry) {
      pending.push(entry.record);
      lastSequence = Math.max(lastSequence, sequenceOf(entry.record));
    } else {
      const upTo = Number(entry.handled);
      pending = pending.filter((record) => sequenceOf(record) > upTo);
      lastSequence = Math.max(lastSequence, upTo);
    }
  }
  const handledUpTo = pending.length > 0 ? sequenceOf(pending[0]!) - 1 : lastSequence;
  const append = rewriteJournal<Entry>(file, [
    { handled: String(handledUpTo) },
    ...pending.map((record) => ({ record })),
  ]);
  return {
    pending,
    lastSequence,
    record: (record) => append({ record }),
    handled: (sequenceNumber) => append({ handled: sequenceNumber }),
  };
}
