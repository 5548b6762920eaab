import type { JsonSchema } from './jsonSchema';

/** A WebSocket frame to an instance is at most 32 KB; the pushed message adds about 200 bytes to the pop body. */
export const MAX_POP_BODY_BYTES = 31 * 1024;
export const MAX_SMALL_BODY_BYTES = 8 * 1024;

/** Agent usernames and campaign names as the Desktop knows them: no control characters. */
const printable = '^[^\\u0000-\\u001f\\u007f]+$';

export const POP_REQUEST_SCHEMA = {
  type: 'object',
  description: 'A request to pop a Workflow onto an agent\'s Desktop.',
  additionalProperties: false,
  required: ['Username', 'Campaign'],
  properties: {
    Username: { type: 'string', minLength: 1, maxLength: 128, pattern: printable, description: 'The agent\'s Desktop username.' },
    Campaign: { type: 'string', minLength: 1, maxLength: 256, pattern: printable, description: 'The campaign whose Workflow opens.' },
    Reference: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      pattern: printable,
      description: 'The record reference; absent: the instance creates a record (CSAUTO-...) if the campaign allows it.',
    },
    ScriptData: {
      type: 'object',
      description: 'External Link names (e.g. "Contact Name", "var_ContactReason") to values.',
      maxProperties: 500,
      additionalProperties: { type: ['string', 'number', 'boolean'], maxLength: 16384 },
    },
  },
} as const satisfies JsonSchema;

export interface PopRequest {
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly ScriptData?: Readonly<Record<string, string | number | boolean>>;
}

export const REFRESH_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['RefreshToken'],
  properties: { RefreshToken: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const satisfies JsonSchema;

export interface RefreshRequest {
  readonly RefreshToken: string;
}
