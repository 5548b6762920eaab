/**
 * The API's asynchronous messages as an AsyncAPI 3.0 document, built from the contract: the WebSocket protocol
 * between the API and a Scripting instance (contract/webSocket.ts), written from the instance's side (it sends the
 * `Action` messages and receives the API's `Type` messages), and the webhook deliveries (contract/webhooks.ts),
 * written from the receiving endpoint's side. `npm run docs` writes docs/asyncapi.json.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  API_MESSAGES,
  INSTANCE_MESSAGES,
  MAX_POP_BODY_BYTES,
  WebhookDeliveryHeaders,
  WebhookPayload,
} from '../contract';
import { WEBSOCKET_IDENTITY_SOURCE, WEBSOCKET_ROUTE_SELECTION } from '../lambdas/apiRoutes';
import { DEFAULT_RETRY_SECONDS } from '../lambdas/webhooks/backoff';
import { DELIVERY_TIMEOUT_MS } from '../lambdas/webhooks/delivery';
import { API_VERSION } from '../lambdas/shared/version';
import { plainSchema, type JsonObject } from './jsonSchema';

export const LOCAL_WEBSOCKET_HOST = '127.0.0.1:3001';
const CHANNEL = 'instance';
const WEBHOOK_CHANNEL = 'webhookDeliveries';
const WEBHOOK_MESSAGE = 'WebhookDelivery';
/** API Gateway WebSocket limits: a frame is at most 32 KB, a message (all its frames) 128 KB. */
const FRAME_KB = 32;
const MESSAGE_KB = 128;

const DESCRIPTION = [
  'How a Scripting instance talks to the Cloud API. The instance opens one WebSocket with',
  `\`${WEBSOCKET_IDENTITY_SOURCE}: Bearer <IdToken>\` (the IdToken of a scripting-instances user, from GET /auth) and`,
  'optionally `?instance=<name>` (default: the username) when several instances share one user; a missing or invalid',
  'token is refused 401 at the handshake, a token of another role or a bad instance name 403.',
  `API Gateway routes each message on its \`Action\` (route selection \`${WEBSOCKET_ROUTE_SELECTION}\`); a message`,
  'that is not JSON or names no known Action is answered with an `Error` message and the connection stays open.',
  `Limits: a frame is at most ${FRAME_KB} KB and a message at most ${MESSAGE_KB} KB; beyond either API Gateway closes`,
  `the connection (1009). That is why a pop body is held to ${MAX_POP_BODY_BYTES / 1024} KB: pushed as one Pop message it must fit`,
  `one ${FRAME_KB} KB frame. API Gateway closes an idle connection after 10 minutes (send Ping) and any connection after`,
  '2 hours (reconnect). The prose is docs/contract.md; the REST API is docs/openapi.json.',
  'The webhook deliveries to endpoints registered with POST /webhooks are the channel',
  `\`${WEBHOOK_CHANNEL}\` (also in the \`webhooks\` section of docs/openapi.json).`,
].join(' ');

/** `5 s, 5 min, 30 min, 2 h` from the back-off in seconds. */
const spoken = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

const WEBHOOK_DESCRIPTION = [
  'One POST per event of your tenant that the endpoint subscribed to (the same event and Cursor as GET /events), or a',
  'test. Verify `webhook-signature` over `<webhook-id>.<webhook-timestamp>.<body>` with your secret (any Standard',
  `Webhooks library); answer 2xx within ${DELIVERY_TIMEOUT_MS / 1000} seconds. Anything else (a redirect too: none is`,
  `followed) is sent again after ${DEFAULT_RETRY_SECONDS.map(spoken).join(', ')}, then dead-lettered (GET`,
  '/webhooks/{WebhookId} counts it in DeadLettered): at-least-once, so deduplicate on `webhook-id`.',
].join(' ');

const messageRef = (name: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${name}` });
const channelRef = { $ref: `#/channels/${CHANNEL}` };

function message(name: string, schema: TSchema): JsonObject {
  return {
    name,
    title: name,
    ...(schema.description ? { summary: schema.description } : {}),
    contentType: 'application/json',
    payload: plainSchema(schema),
  };
}

function webhookMessage(): JsonObject {
  return {
    name: WEBHOOK_MESSAGE,
    title: 'Webhook delivery',
    summary: WebhookPayload.description,
    contentType: 'application/json',
    headers: plainSchema(WebhookDeliveryHeaders),
    payload: plainSchema(WebhookPayload),
  };
}

/** The webhook endpoint receives the deliveries the API POSTs. */
const webhookOperation = {
  action: 'receive',
  channel: { $ref: `#/channels/${WEBHOOK_CHANNEL}` },
  summary: 'A pop event (or a test) delivered to your endpoint, signed (Standard Webhooks)',
  description: WEBHOOK_DESCRIPTION,
  messages: [{ $ref: `#/channels/${WEBHOOK_CHANNEL}/messages/${WEBHOOK_MESSAGE}` }],
  bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
};

function messages(): JsonObject {
  const all: JsonObject = {};
  for (const [name, schema] of Object.entries({ ...INSTANCE_MESSAGES, ...API_MESSAGES }))
    all[name] = message(name, schema);
  return all;
}

/** What the instance sends (each answered with an Error when refused; Ping with Pong) and what it receives. */
function operations(): JsonObject {
  const found: JsonObject = {};
  for (const name of Object.keys(INSTANCE_MESSAGES)) {
    const replies = name === 'Ping' ? ['Pong', 'Error'] : ['Error'];
    found[`send${name}`] = {
      action: 'send',
      channel: channelRef,
      summary: INSTANCE_MESSAGES[name as keyof typeof INSTANCE_MESSAGES].description,
      messages: [messageRef(name)],
      reply: { channel: channelRef, messages: replies.map(messageRef) },
    };
  }
  for (const name of Object.keys(API_MESSAGES)) {
    const summary = API_MESSAGES[name as keyof typeof API_MESSAGES].description;
    found[`receive${name}`] = { action: 'receive', channel: channelRef, summary, messages: [messageRef(name)] };
  }
  return found;
}

const handshake = {
  bindingVersion: '0.1.0',
  method: 'GET',
  headers: {
    type: 'object',
    required: [WEBSOCKET_IDENTITY_SOURCE],
    properties: {
      [WEBSOCKET_IDENTITY_SOURCE]: { type: 'string', pattern: '^Bearer .+', description: 'Bearer <IdToken>' },
    },
  },
  query: {
    type: 'object',
    properties: {
      // lambdas/handlers/wsAuthorizer.ts refuses any other name with 403.
      instance: {
        type: 'string',
        pattern: '^[A-Za-z0-9._-]{1,64}$',
        description: "This instance's name; default: the username.",
      },
    },
  },
};

const servers = {
  local: {
    host: LOCAL_WEBSOCKET_HOST,
    pathname: '/v1',
    protocol: 'ws',
    description: 'The local stack (`npm start`).',
    security: [{ $ref: '#/components/securitySchemes/idToken' }],
  },
  aws: {
    host: '{apiId}.execute-api.{region}.amazonaws.com',
    pathname: '/{stage}',
    protocol: 'wss',
    description: 'A deployed stack: its output WebSocketUrl.',
    variables: { apiId: { default: 'example' }, region: { default: 'eu-west-1' }, stage: { default: 'v1' } },
    security: [{ $ref: '#/components/securitySchemes/idToken' }],
  },
  webhookReceiver: {
    host: '{host}',
    protocol: 'https',
    description:
      'Your endpoint: the Url registered with POST /webhooks (https; the local stack also delivers plain http to ' +
      '127.0.0.1). The API is the client here. No credential: the webhook-signature header proves the origin.',
    variables: { host: { default: 'hooks.example.com' } },
  },
};

export function buildAsyncApiDocument(): JsonObject {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Cloud API (Remote Pop): Scripting instance protocol and webhook deliveries',
      version: API_VERSION,
      description: DESCRIPTION,
    },
    defaultContentType: 'application/json',
    servers,
    channels: {
      [CHANNEL]: {
        address: null,
        title: 'The Scripting instance connection',
        description: "One connection per instance, at the server's URL itself.",
        servers: [{ $ref: '#/servers/local' }, { $ref: '#/servers/aws' }],
        messages: messages(),
        bindings: { ws: handshake },
      },
      [WEBHOOK_CHANNEL]: {
        address: null,
        title: 'Webhook deliveries',
        description: 'POSTs to the Url each endpoint registered, path and query included.',
        servers: [{ $ref: '#/servers/webhookReceiver' }],
        messages: { [WEBHOOK_MESSAGE]: webhookMessage() },
      },
    },
    operations: { ...operations(), receiveWebhookDelivery: webhookOperation },
    components: {
      securitySchemes: {
        idToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The IdToken of a scripting-instances user, from GET /auth.',
        },
      },
    },
  };
}
