/**
 * The REST API's bodies and results. Each schema yields its TypeScript type (`Static`) and its JSON Schema (the object
 * itself): the Lambdas validate with it, the stack attaches it as an API Gateway model, docs/openapi.json embeds it.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  MAX_CAMPAIGN_LENGTH,
  MAX_HOLD_SECONDS,
  MAX_AGENT_NAME_LENGTH,
  MAX_REFERENCE_LENGTH,
  MAX_REFRESH_TOKEN_LENGTH,
  MAX_SCRIPT_DATA_ENTRIES,
  MAX_SCRIPT_VALUE_LENGTH,
} from './limits';
import { closed, identifier, nullable, oneOf } from './schemaKit';
import { POP_REASONS, POP_STATUSES } from './statuses';

/** A ScriptData value: what an External Link can carry into a Field or a Workflow Variable. */
export const ScriptValue = Type.Unsafe<string | number | boolean>({
  type: ['string', 'number', 'boolean'],
  maxLength: MAX_SCRIPT_VALUE_LENGTH,
});
export type ScriptValue = Static<typeof ScriptValue>;

export const ScriptData = Type.Unsafe<Record<string, ScriptValue>>({
  type: 'object',
  description: 'External Link names (e.g. "Contact Name", "var_ContactReason") to values.',
  maxProperties: MAX_SCRIPT_DATA_ENTRIES,
  additionalProperties: ScriptValue,
});
export type ScriptData = Static<typeof ScriptData>;

export const PopRequest = Type.Object(
  {
    Username: identifier(MAX_AGENT_NAME_LENGTH, { description: "The agent's Desktop username." }),
    Campaign: identifier(MAX_CAMPAIGN_LENGTH, { description: 'The campaign whose Workflow opens.' }),
    Reference: Type.Optional(
      identifier(MAX_REFERENCE_LENGTH, {
        description:
          'The record reference; absent: the instance creates a record (CSAUTO-...) if the campaign allows it.',
      }),
    ),
    ScriptData: Type.Optional(ScriptData),
    HoldSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_HOLD_SECONDS,
        description:
          'When the agent is on no connected Desktop: hold the pop this many seconds and deliver it once the agent appears (202 Held), instead of 404 AgentNotOnDesktop. Past it the pop is Expired.',
      }),
    ),
  },
  { ...closed, description: "A request to pop a Workflow onto an agent's Desktop." },
);
export type PopRequest = Static<typeof PopRequest>;

export const RefreshRequest = Type.Object(
  { RefreshToken: Type.String({ minLength: 1, maxLength: MAX_REFRESH_TOKEN_LENGTH }) },
  closed,
);
export type RefreshRequest = Static<typeof RefreshRequest>;

export const User = Type.Object({
  Username: Type.String(),
  Email: nullable(Type.String()),
  Attributes: Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } }),
  Created: nullable(Type.String({ format: 'date-time' })),
  LastUpdated: nullable(Type.String({ format: 'date-time' })),
  Status: nullable(Type.String()),
});
export type User = Static<typeof User>;

const tokenFields = {
  Authenticated: Type.Literal(true),
  IdToken: Type.String({ description: 'Send as `Authorization: Bearer <IdToken>`; re-use it until it expires.' }),
  AccessToken: Type.String(),
  ExpiresIn: Type.Integer({ description: 'Seconds until the IdToken expires.' }),
  User,
};
export const TokenResult = Type.Object({
  ...tokenFields,
  RefreshToken: Type.String({
    description:
      "For POST /auth/refresh. Opaque: the API's own envelope around Cognito's refresh token; keep it as it came.",
  }),
});
export type TokenResult = Static<typeof TokenResult>;
export const RefreshedTokenResult = Type.Object(tokenFields);
export type RefreshedTokenResult = Static<typeof RefreshedTokenResult>;

export const PopAccepted = Type.Object({
  PopId: Type.String(),
  Status: Type.Union([Type.Literal('Sent'), Type.Literal('Held')], {
    description: 'Sent: pushed now. Held: the agent is on no Desktop; delivered when it appears, or Expired.',
  }),
});
export type PopAccepted = Static<typeof PopAccepted>;

export const PopStatusResult = Type.Object({
  PopId: Type.String(),
  Username: Type.String(),
  Campaign: Type.String(),
  Reference: Type.Optional(Type.String()),
  Status: oneOf(POP_STATUSES),
  Reason: Type.Optional(oneOf(POP_REASONS)),
  CreatedAt: Type.String({ format: 'date-time' }),
  UpdatedAt: Type.String({ format: 'date-time' }),
});
export type PopStatusResult = Static<typeof PopStatusResult>;

export const ErrorBody = Type.Object({
  Code: Type.String(),
  Message: Type.String(),
  Details: Type.Optional(Type.Array(Type.String())),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** Every success answer: `Result` is the operation's own. */
export const SuccessEnvelope = <T extends TSchema>(result: T) =>
  Type.Object({ Success: Type.Literal(true), Result: result, Version: Type.String(), RequestId: Type.String() });
export type SuccessEnvelope<T> = { Success: true; Result: T; Version: string; RequestId: string };

export const FailureEnvelope = Type.Object({
  Success: Type.Literal(false),
  Result: Type.Null(),
  Version: Type.String(),
  RequestId: Type.String(),
  Error: ErrorBody,
});
export type FailureEnvelope = Static<typeof FailureEnvelope>;
