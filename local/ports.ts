/**
 * The ports of the local stack and what a taken one is called, so that a clash names the variable to change
 * (local/start.ts reads them) instead of a bare EADDRINUSE, or, worse, a stack that talks to another stack's emulator.
 */
import { createServer } from 'net';

export type PortRole = 'rest' | 'ws' | 'cognito' | 'dynamoDb' | 'console' | 'control';

/** The `npm start` variable that sets each port (local/README.md). */
export const PORT_VARIABLES: Readonly<Record<PortRole, string>> = {
  rest: 'PORT',
  ws: 'WS_PORT',
  cognito: 'COGNITO_PORT',
  dynamoDb: 'DYNAMODB_PORT',
  console: 'CONSOLE_PORT',
  control: 'CONTROL_PORT',
};

export class PortInUseError extends Error {
  constructor(
    readonly role: PortRole,
    readonly port: number,
  ) {
    const variable = PORT_VARIABLES[role];
    super(
      `port ${port} (${variable}) is already in use by another process: stop that process or set ${variable} to a free port (0 picks one)`,
    );
    this.name = 'PortInUseError';
  }
}

/** `error` as a PortInUseError when it is EADDRINUSE on `port`, else unchanged. */
export function asPortError(error: unknown, role: PortRole, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' ? new PortInUseError(role, port) : error;
}

/** Throws PortInUseError when something already listens on 127.0.0.1:`port` (0 is always free). */
export async function assertPortFree(role: PortRole, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(asPortError(error, role, port)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
