/**
 * Signed webhooks: an api-caller registers endpoints that receive its tenant's pop events, signed as the
 * Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`, `whsec_` secrets).
 * lambdas/webhooks/ stores, guards and delivers them; the delivery body is the feed's event with its Cursor.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PopEvent } from './events';
import { MAX_WEBHOOK_URL_LENGTH } from './limits';
import { closed, oneOf } from './schemaKit';
import { POP_STATUSES } from './statuses';

export const WEBHOOK_STATES = ['Active', 'Failing'] as const;

export const WebhookRequest = Type.Object(
  {
    Url: Type.String({
      minLength: 1,
      maxLength: MAX_WEBHOOK_URL_LENGTH,
      description:
        'https only; refused when it names or resolves to a private, loopback, link-local or metadata address.',
    }),
    Events: Type.Optional(
      Type.Array(oneOf(POP_STATUSES), {
        minItems: 1,
        uniqueItems: true,
        description: 'The statuses to deliver; absent: every status.',
      }),
    ),
  },
  { ...closed, description: 'A webhook endpoint to register.' },
);
export type WebhookRequest = Static<typeof WebhookRequest>;

export const Webhook = Type.Object(
  {
    WebhookId: Type.String(),
    Url: Type.String(),
    Events: Type.Array(oneOf(POP_STATUSES)),
    State: oneOf(WEBHOOK_STATES, { description: '`Failing` from the first failed delivery until the next success.' }),
    CreatedAt: Type.String({ format: 'date-time' }),
    LastDeliveryAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'The last delivery the endpoint accepted (2xx).' }),
    ),
    LastError: Type.Optional(Type.String({ description: 'Why the last failed delivery failed.' })),
    FailingSince: Type.Optional(Type.String({ format: 'date-time' })),
    DeadLettered: Type.Integer({
      minimum: 0,
      description: 'Deliveries that exhausted their retries (kept in the dead-letter queue).',
    }),
    PreviousSecretExpiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'Until then the old secret signs too.' }),
    ),
  },
  { description: 'A registered webhook endpoint and how its deliveries go. The secret is never shown again.' },
);
export type Webhook = Static<typeof Webhook>;

export const WebhookCreated = Type.Composite([
  Webhook,
  Type.Object({ Secret: Type.String({ pattern: '^whsec_', description: 'The signing secret, shown once: keep it.' }) }),
]);
export type WebhookCreated = Static<typeof WebhookCreated>;

export const WebhooksResult = Type.Object(
  { Webhooks: Type.Array(Webhook) },
  { description: "Your tenant's webhooks." },
);
export type WebhooksResult = Static<typeof WebhooksResult>;

export const WebhookSecretRotated = Type.Object(
  {
    WebhookId: Type.String(),
    Secret: Type.String({ pattern: '^whsec_', description: 'The new signing secret, shown once.' }),
    PreviousSecretExpiresAt: Type.String({
      format: 'date-time',
      description: 'Until then deliveries carry both signatures.',
    }),
  },
  { description: 'The new secret.' },
);

export type WebhookSecretRotated = Static<typeof WebhookSecretRotated>;

export const WebhookDeleted = Type.Object(
  { WebhookId: Type.String() },
  { description: 'Deleted: nothing more is delivered to it.' },
);

export const WebhookTestQueued = Type.Object(
  { WebhookId: Type.String(), MessageId: Type.String({ description: 'The `webhook-id` the test delivery carries.' }) },
  { description: 'A test delivery was queued; its outcome shows in GET /webhooks/{WebhookId}.' },
);

export const WebhookTestPayload = Type.Object(
  { Type: Type.Literal('webhook.test'), WebhookId: Type.String(), OccurredAt: Type.String({ format: 'date-time' }) },
  { description: 'What POST /webhooks/{WebhookId}/test delivers.' },
);
export type WebhookTestPayload = Static<typeof WebhookTestPayload>;

/**
 * The Standard Webhooks headers of every delivery (lambdas/webhooks/signing.ts writes them), by name. A receiver
 * verifies `webhook-signature` over `<webhook-id>.<webhook-timestamp>.<body>` with any Standard Webhooks library.
 */
export const WebhookDeliveryHeaders = Type.Object(
  {
    'webhook-id': Type.String({
      pattern: '^.+$',
      description: "The EventId (or the test's MessageId): the same on every retry.",
    }),
    'webhook-timestamp': Type.String({
      pattern: '^[0-9]+$',
      description: 'Unix seconds of this attempt: refuse one far from your clock.',
    }),
    'webhook-signature': Type.String({
      pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)?$',
      description:
        '`v1,<base64 HMAC-SHA256>`; two, space-separated, for 24 hours after POST /webhooks/{WebhookId}/rotate-secret.',
    }),
  },
  {
    description:
      'The headers every webhook delivery carries (Standard Webhooks), besides `content-type: application/json`.',
  },
);
export type WebhookDeliveryHeaders = Static<typeof WebhookDeliveryHeaders>;

/** The body of a delivery: a pop event with its Cursor (contract/events.ts), or a test. */
export const WebhookPayload = Type.Union([PopEvent, WebhookTestPayload], {
  description:
    'POSTed as JSON with the headers `webhook-id` (the same on every retry: deduplicate on it), `webhook-timestamp` ' +
    '(Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, two space-separated signatures for 24 h after a rotation).',
});
export type WebhookPayload = Static<typeof WebhookPayload>;
