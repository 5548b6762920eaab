/**
 * The instance's logger: one terminal line per event, `HH:MM:SS.mmm LEVEL message key=value ...`.
 * Secrets never reach it by design (nothing passes tokens or passwords in); as a second line of defence any field
 * whose name looks like a secret is written as `[redacted]`.
 */
import type { LogLevel } from './config';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /token|password|secret|authorization|credential/i;

export function redact(fields: LogFields): LogFields {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) clean[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  return clean;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return '-';
  return JSON.stringify(value);
}

/**
 * Characters a terminal or a log reader acts on instead of showing: C0 and C1 controls (`\u009b` starts an escape
 * sequence), line and paragraph separators, bidi controls (`\u202e` reverses what follows). ScriptData may carry them
 * (contract/limits.ts refuses them only in identifiers), so a line never holds them raw.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

export const escapeForTerminal = (text: string): string =>
  text.replace(UNSAFE_FOR_TERMINAL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function formatLine(entry: LogEntry, at: Date): string {
  const time = at.toISOString().slice(11, 23);
  const pairs = Object.entries(entry.fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return escapeForTerminal([time, entry.level.toUpperCase().padEnd(5), entry.message, ...pairs].join(' '));
}

/** A logger built on one sink; `level` drops what is below it. */
export function createLogger(sink: (entry: LogEntry) => void, level: LogLevel = 'info'): Logger {
  const emit =
    (entryLevel: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[entryLevel] >= RANK[level]) sink({ level: entryLevel, message, fields: redact(fields) });
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Terminal logger: info and debug to stdout, warn and error to stderr. */
export function createConsoleLogger(level: LogLevel = 'info', now: () => Date = () => new Date()): Logger {
  return createLogger((entry) => {
    const line = formatLine(entry, now());
    if (RANK[entry.level] >= RANK.warn) process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  }, level);
}

/** A logger that keeps its entries, for tests. */
export function createMemoryLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return Object.assign(
    createLogger((entry) => entries.push(entry), 'debug'),
    { entries },
  );
}
