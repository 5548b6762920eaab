import { ACK_STATUSES, type AckStatus } from './popStatuses';
import { validateJson, type JsonSchema } from './jsonSchema';

/** A WebSocket message is at most 128 KB; a Desktop list of 2,000 agents fits well inside. */
const agentName = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;

export const INSTANCE_MESSAGE_SCHEMAS = {
  Desktop: {
    type: 'object',
    additionalProperties: false,
    required: ['Action', 'Agents'],
    properties: { Action: { type: 'string' }, Agents: { type: 'array', maxItems: 2000, items: agentName } },
  },
  Login: {
    type: 'object',
    additionalProperties: false,
    required: ['Action', 'Username'],
    properties: { Action: { type: 'string' }, Username: agentName },
  },
  Logout: {
    type: 'object',
    additionalProperties: false,
    required: ['Action', 'Username'],
    properties: { Action: { type: 'string' }, Username: agentName },
  },
  Ack: {
    type: 'object',
    additionalProperties: false,
    required: ['Action', 'PopId', 'Status'],
    properties: {
      Action: { type: 'string' },
      PopId: { type: 'string', minLength: 1, maxLength: 128 },
      Status: { type: 'string', enum: ACK_STATUSES },
      Reason: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9]*$' },
    },
  },
  Ping: { type: 'object', additionalProperties: false, required: ['Action'], properties: { Action: { type: 'string' } } },
} as const satisfies Record<string, JsonSchema>;

export type InstanceAction = keyof typeof INSTANCE_MESSAGE_SCHEMAS;

export interface DesktopMessage { readonly Action: 'Desktop'; readonly Agents: readonly string[] }
export interface LoginMessage { readonly Action: 'Login'; readonly Username: string }
export interface LogoutMessage { readonly Action: 'Logout'; readonly Username: string }
export interface AckMessage {
  readonly Action: 'Ack';
  readonly PopId: string;
  readonly Status: AckStatus;
  readonly Reason?: string;
}
export interface PingMessage { readonly Action: 'Ping' }

export interface MessageOf {
  Desktop: DesktopMessage;
  Login: LoginMessage;
  Logout: LogoutMessage;
  Ack: AckMessage;
  Ping: PingMessage;
}

export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
  constructor(message: string, readonly details: string[] = []) {
    super(message);
  }
}

/** Parse a message of a known route once; afterwards the handler trusts its type. */
export function parseInstanceMessage<A extends InstanceAction>(action: A, body: string | undefined): MessageOf[A] {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new InvalidMessageError('The message is not JSON.');
  }
  const problems = validateJson(INSTANCE_MESSAGE_SCHEMAS[action], value);
  if (problems.length > 0) throw new InvalidMessageError(`Invalid ${action} message: ${problems.join('; ')}`, problems);
  const message = value as MessageOf[A];
  if (message.Action !== action) throw new InvalidMessageError(`Expected Action "${action}".`);
  if (action === 'Ack') {
    const ack = message as AckMessage;
    if (ack.Status === 'Failed' && ack.Reason === undefined) throw new InvalidMessageError('An Ack with Status Failed needs a Reason.');
  }
  return message;
}
