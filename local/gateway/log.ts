/** The gateway's log lines: one per request or message, never an event, a token or a password. */
export interface GatewayLog {
  info(line: string): void;
  error(line: string): void;
}

export const consoleLog: GatewayLog = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};

export const silentLog: GatewayLog = { info: () => undefined, error: () => undefined };

/** `Name: message` for one log line (never a stack, never the event). */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
