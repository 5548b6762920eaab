/**
 * The REST API's OpenAPI 3.1 description, built from the contract alone: the operations table
 * (contract/operations.ts) gives paths, security, bodies, the success answer and every refusal with its codes; the
 * schemas are contract/rest.ts's own. OpenAPI 3.1 because the schemas are JSON Schema 2020-12 (type lists such as
 * ScriptData's values, `anyOf [..., null]`), which OpenAPI 3.0 cannot hold. `npm run docs` writes docs/openapi.json.
 */
import { Type } from '@sinclair/typebox';
import {
  ERROR_STATUS,
  FailureEnvelope,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_POP_BODY_BYTES,
  MAX_POP_ID_LENGTH,
  MAX_SMALL_BODY_BYTES,
  REST_OPERATIONS,
  SuccessEnvelope,
  type OperationId,
  type Refusal,
  type RestOperation,
  WebhookDeliveryHeaders,
  WebhookPayload,
} from '../contract';
import { API_VERSION } from '../lambdas/shared/version';
import { plainSchema, schemaRef, type JsonObject } from './jsonSchema';

export const LOCAL_REST_URL = 'http://127.0.0.1:3000/v1';

const SECURITY: Record<RestOperation['security'], JsonObject[]> = {
  basic: [{ basic: [] }],
  idToken: [{ idToken: [] }],
  // The body carries the credential (a RefreshToken): no scheme applies, said explicitly.
  none: [],
};

const BODY_LIMITS: Partial<Record<OperationId, number>> = {
  pop: MAX_POP_BODY_BYTES,
  authRefresh: MAX_SMALL_BODY_BYTES,
};

const REPLAYED_STATUSES = new Set([202, 404, 409]);

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Response headers by operation and status, as the handlers and Gateway Responses set them. */
function responseHeaders(id: OperationId, status: number): JsonObject | undefined {
  const headers: JsonObject = {};
  if (status === 429 || status === 503 || (id === 'pop' && status === 409))
    headers['Retry-After'] = headerRef('RetryAfter');
  if (id === 'authToken' && status === 401) headers['WWW-Authenticate'] = headerRef('WWWAuthenticate');
  // A repeated Idempotency-Key replays the stored answer of the delivery: accepted, or refused below 500
  // (lambdas/pops/idempotency.ts); the checks before it (token, body, key) answer afresh every time.
  if (id === 'pop' && REPLAYED_STATUSES.has(status)) headers['Idempotent-Replayed'] = headerRef('IdempotentReplayed');
  return Object.keys(headers).length > 0 ? headers : undefined;
}

const json = (schema: JsonObject) => ({ 'application/json': { schema } });

function refusalResponse(id: OperationId, status: number, refusal: Refusal): JsonObject {
  const codes = refusal.codes.map((code) => `\`${code}\``).join(', ');
  const onlyTheseCodes = {
    type: 'object',
    properties: { Error: { type: 'object', properties: { Code: { enum: [...refusal.codes] } } } },
  };
  const headers = responseHeaders(id, status);
  return {
    description: `${refusal.description} Error.Code: ${codes}.`,
    ...(headers ? { headers } : {}),
    content: json({ allOf: [schemaRef('FailureEnvelope'), onlyTheseCodes] }),
  };
}

function responses(id: OperationId, operation: RestOperation): JsonObject {
  const { success } = operation;
  const successHeaders = responseHeaders(id, success.status);
  const answers: JsonObject = {
    [success.status]: {
      description: success.description,
      ...(successHeaders ? { headers: successHeaders } : {}),
      content: json(plainSchema(SuccessEnvelope(Type.Unsafe(schemaRef(success.name))))),
    },
  };
  const statuses = Object.keys(operation.refusals)
    .map(Number)
    .sort((a, b) => a - b);
  for (const status of statuses) answers[status] = refusalResponse(id, status, operation.refusals[status]!);
  return answers;
}

function parameters(id: OperationId, operation: RestOperation): JsonObject[] {
  const found: JsonObject[] = [];
  for (const [, name] of operation.path.matchAll(/\{(\w+)\}/g)) {
    found.push({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: MAX_POP_ID_LENGTH },
    });
  }
  if (id === 'pop') found.push({ $ref: '#/components/parameters/IdempotencyKey' });
  for (const query of operation.query ?? []) {
    found.push({
      name: query.name,
      in: 'query',
      required: false,
      description: query.description,
      schema: { ...query.schema },
    });
  }
  return found;
}

function requestBody(id: OperationId, operation: RestOperation): JsonObject | undefined {
  if (!operation.body) return undefined;
  const limit = BODY_LIMITS[id];
  return {
    required: true,
    ...(limit ? { description: `At most ${limit} bytes (UTF-8); a larger body is answered 413 PayloadTooLarge.` } : {}),
    content: json(schemaRef(operation.body.name)),
  };
}

function operationObject(id: OperationId, operation: RestOperation): JsonObject {
  const params = parameters(id, operation);
  const body = requestBody(id, operation);
  return {
    operationId: id,
    summary: operation.summary,
    security: SECURITY[operation.security],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(id, operation),
  };
}

function paths(): JsonObject {
  const found: Record<string, JsonObject> = {};
  for (const [id, operation] of Object.entries(REST_OPERATIONS) as [OperationId, RestOperation][]) {
    found[operation.path] ??= {};
    found[operation.path]![operation.method.toLowerCase()] = operationObject(id, operation);
  }
  return found;
}

/** Every body and result schema the operations name, plus the failure envelope. */
function schemas(): JsonObject {
  const found: JsonObject = {};
  for (const operation of Object.values(REST_OPERATIONS)) {
    if (operation.body) found[operation.body.name] = plainSchema(operation.body.schema);
    found[operation.success.name] = plainSchema(operation.success.result);
  }
  found.FailureEnvelope = plainSchema(FailureEnvelope);
  found.WebhookPayload = plainSchema(WebhookPayload);
  return found;
}

const components = (): JsonObject => ({
  securitySchemes: {
    basic: { type: 'http', scheme: 'basic', description: 'Cloud API username and password (GET /auth only).' },
    idToken: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'The IdToken from GET /auth; re-use it until it expires.',
    },
  },
  parameters: {
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'A repeat with the same key inside 24 hours gets the first answer again and pushes nothing; the same key with another body is refused 422.',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
    },
  },
  headers: {
    RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^[0-9]+$' } },
    WWWAuthenticate: { description: 'With MissingCredentials: the Basic challenge.', schema: { type: 'string' } },
    IdempotentReplayed: {
      description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
      schema: { type: 'string', enum: ['true'] },
    },
  },
  schemas: schemas(),
});

const DESCRIPTION = [
  "Pop a Workflow onto a named agent's Desktop. Every answer, success or failure, uses one envelope: `Success`, `Result`",
  '(null on failure), `Version`, `RequestId` and, on failure, `Error` (`Code`, `Message`, `Details`).',
  "API Gateway's own answers use it too; a path or method the API does not have is answered",
  `${ERROR_STATUS.NotFound} \`NotFound\`. The prose is docs/contract.md; the WebSocket protocol of Scripting instances is docs/asyncapi.json.`,
].join(' ');

/** The Standard Webhooks headers as OpenAPI header parameters, from the contract (the AsyncAPI document has them too). */
const signatureHeaders = (): JsonObject[] =>
  Object.entries(WebhookDeliveryHeaders.properties).map(([name, schema]) => ({
    name,
    in: 'header',
    required: true,
    description: schema.description,
    schema: { type: 'string', pattern: schema.pattern },
  }));

/**
 * OpenAPI 3.1's `webhooks`: what this API POSTs to an endpoint registered with POST /webhooks (lambdas/webhooks/
 * senderHandler.ts), signed as the Standard Webhooks specification says.
 */
const WEBHOOKS: JsonObject = {
  popEvent: {
    post: {
      operationId: 'popEventWebhook',
      summary: 'A pop event (or a test) delivered to your endpoint',
      // No HTTP scheme: the webhook-signature header is the proof of origin (below).
      security: [],
      description:
        'One POST per event of your tenant that the endpoint subscribed to, the same event and Cursor as GET /events. ' +
        'Verify `webhook-signature` over `<webhook-id>.<webhook-timestamp>.<body>` with your secret (any Standard ' +
        'Webhooks library); answer 2xx within 5 seconds. Anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, ' +
        '10 h and 10 h, then dead-lettered (GET /webhooks/{WebhookId} counts it): at-least-once, so deduplicate on ' +
        '`webhook-id`. Redirects are not followed.',
      parameters: signatureHeaders(),
      requestBody: { required: true, content: { 'application/json': { schema: schemaRef('WebhookPayload') } } },
      responses: {
        '2XX': { description: 'Received: not sent again.' },
        default: { description: 'Not received (also no answer within 5 s): sent again after the next back-off step.' },
      },
    },
  },
};

export function buildOpenApiDocument(): JsonObject {
  return {
    openapi: '3.1.0',
    info: { title: 'Cloud API (Remote Pop)', version: API_VERSION, description: DESCRIPTION },
    servers: [
      { url: LOCAL_REST_URL, description: 'The local stack (`npm start`).' },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'A deployed stack: its output RestApiUrl.',
        variables: { restApiId: { default: 'example' }, region: { default: 'eu-west-1' }, stage: { default: 'v1' } },
      },
    ],
    paths: paths(),
    webhooks: WEBHOOKS,
    components: components(),
  };
}
