/**
 * The file under a local journal (local/queue/queueJournal.ts, local/streams/streamJournal.ts): one JSON value per
 * line, appended before the call that made the change is answered. Opening one reads its lines (an empty line and a
 * torn last line, a crash in the middle of a write, are skipped), and the journal then writes its compacted form in
 * place (through a temporary file and a rename, so a crash leaves the old or the new, never half) and appends to it.
 * Owner-only: the lines hold webhook payloads.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The values of the file's lines, oldest first; none when there is no file. */
export function readJournal<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const entries: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      continue; // an empty line, or a torn last line
    }
  }
  return entries;
}

/** Replaces the file by `compacted`, one line each, and answers how to append one more. */
export function rewriteJournal<T>(file: string, compacted: readonly T[]): (entry: T) => void {
  writeFileSync(`${file}.tmp`, compacted.map((entry) => `${JSON.stringify(entry)}\n`).join(''), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return (entry) => appendFileSync(file, `${JSON.stringify(entry)}\n`);
}
