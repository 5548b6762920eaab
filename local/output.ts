/**
 * What `npm start` prints while it runs: one line per event, `HH:MM:SS.mmm source   LEVEL message key=value`, from
 * the sources: the stack's own lines (`[stack] ` prefix), the gateway's lines (local/gateway/log.ts), the demo instance's lines (instance/log.ts, relayed by
 * local/stack.ts with an `[instance] ` prefix) and the handlers' Powertools JSON lines. Colour only on a terminal;
 * `--json` prints every event as one JSON object instead (the handlers' lines exactly as CloudWatch would hold them).
 */
import type { GatewayLog } from './gateway/log';

export type OutputMode = 'pretty' | 'plain' | 'json';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

interface Event {
  readonly time: string;
  readonly source: string;
  readonly level: Level;
  readonly message: string;
}

const COLOURS: Record<Level | 'dim' | 'reset', string> = {
  DEBUG: '\x1b[90m',
  INFO: '\x1b[36m',
  WARN: '\x1b[33m',
  ERROR: '\x1b[31m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
};
const LEVELS = new Set<string>(['DEBUG', 'INFO', 'WARN', 'ERROR']);
/** Powertools keys every line carries: not worth a column each. */
const POWERTOOLS_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
]);
const INSTANCE_LINE = /^\[instance\] (\d\d:\d\d:\d\d\.\d{3}) (DEBUG|INFO|WARN|ERROR)\s+(.*)$/;

const clock = (at: Date): string => at.toISOString().slice(11, 23);

/** `--json` anywhere among the arguments, else colour when stdout is a terminal (and NO_COLOR is unset). */
export function outputMode(
  argv: readonly string[],
  stdout: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): OutputMode {
  if (argv.includes('--json')) return 'json';
  return stdout.isTTY && !env.NO_COLOR ? 'pretty' : 'plain';
}

function keyValues(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([key, value]) => !POWERTOOLS_KEYS.has(key) && !key.startsWith('function_') && value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`,
    )
    .join(' ');
}

/** A handler's Powertools JSON line as an event, or undefined when the line is not one. */
export function handlerEvent(line: string): Event | undefined {
  if (!line.startsWith('{')) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const level = String(parsed.level ?? '').toUpperCase();
  if (!LEVELS.has(level) || typeof parsed.message !== 'string') return undefined;
  const at = typeof parsed.timestamp === 'string' ? new Date(parsed.timestamp) : new Date();
  const extra = keyValues(parsed);
  return {
    time: clock(Number.isNaN(at.getTime()) ? new Date() : at),
    source: 'handler',
    level: level as Level,
    message: extra ? `${parsed.message} ${extra}` : parsed.message,
  };
}

/** A gateway or relayed instance line as an event. */
export function lineEvent(line: string, level: 'INFO' | 'ERROR', at: Date): Event {
  const instance = INSTANCE_LINE.exec(line);
  if (instance) return { time: instance[1]!, source: 'instance', level: instance[2] as Level, message: instance[3]! };
  const prefixed = /^\[([a-z]+)\] (.*)$/.exec(line);
  if (prefixed) return { time: clock(at), source: prefixed[1]!, level, message: prefixed[2]! };
  return { time: clock(at), source: 'gateway', level, message: line };
}

export function formatEvent(event: Event, mode: OutputMode): string {
  if (mode === 'json') return JSON.stringify(event);
  const text = `${event.time} ${event.source.padEnd(8)} ${event.level.padEnd(5)} ${event.message}`;
  if (mode === 'plain') return text;
  const { dim, reset } = COLOURS;
  return `${dim}${event.time}${reset} ${event.source.padEnd(8)} ${COLOURS[event.level]}${event.level.padEnd(5)}${reset} ${event.message}`;
}

/** The gateway's (and the relayed instance's) lines, formatted. */
export function formattedLog(mode: OutputMode, write: (line: string, stream: 'stdout' | 'stderr') => void): GatewayLog {
  return {
    info: (line) => write(formatEvent(lineEvent(line, 'INFO', new Date()), mode), 'stdout'),
    error: (line) => write(formatEvent(lineEvent(line, 'ERROR', new Date()), mode), 'stderr'),
  };
}

/**
 * Reformats the handlers' JSON lines as they are written to `stream` (Powertools writes to process.stdout itself, not
 * through a logger this project can hand it). Other output passes through unchanged; `json` changes nothing.
 */
export function reformatHandlerLines(stream: NodeJS.WriteStream, mode: OutputMode): void {
  if (mode === 'json') return;
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (!text.startsWith('{')) return write(chunk, ...rest);
    const lines = text.split('\n').map((line) => {
      const event = handlerEvent(line);
      return event ? formatEvent(event, mode) : line;
    });
    return write(lines.join('\n'), ...rest);
  }) as typeof stream.write;
}
