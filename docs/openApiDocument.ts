import { REST_ROUTES } from '../lambdas/apiRoutes';
import { POP_REQUEST_SCHEMA, REFRESH_REQUEST_SCHEMA } from '../lambdas/domain/schemas';
import { ACK_STATUSES, POP_STATUSES } from '../lambdas/domain/popStatuses';
import { GATEWAY_ANSWERS } from '../lambdas/shared/gatewayResponses';
import { API_VERSION } from '../lambdas/shared/version';

/**
 * The REST API's OpenAPI 3 description, built from the same route table and request schemas the Lambdas and the
 * stack use. `npm run docs` writes docs/openapi.json; a test fails when the committed file drifts from this.
 */
type Operation = Record<string, unknown>;

const envelope = (result: Record<string, unknown>) => ({
  type: 'object',
  required: ['Success', 'Result', 'Version', 'RequestId'],
  properties: {
    Success: { type: 'boolean', enum: [true] },
    Result: result,
    Version: { type: 'string', example: API_VERSION },
    RequestId: { type: 'string' },
  },
});

const failure = (description: string, codes: string[]) => ({
  description,
  content: {
    'application/json': {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/FailureEnvelope' },
          { type: 'object', properties: { Error: { type: 'object', properties: { Code: { type: 'string', enum: codes } } } } },
        ],
      },
    },
  },
});

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });

const tokenResult = (withRefresh: boolean) => ({
  type: 'object',
  required: ['Authenticated', 'IdToken', 'AccessToken', 'ExpiresIn', 'User'],
  properties: {
    Authenticated: { type: 'boolean', enum: [true] },
    IdToken: { type: 'string', description: 'Send as `Authorization: Bearer <IdToken>`; re-use it until it expires.' },
    AccessToken: { type: 'string' },
    ...(withRefresh ? { RefreshToken: { type: 'string', description: 'For POST /auth/refresh.' } } : {}),
    ExpiresIn: { type: 'integer', description: 'Seconds until the IdToken expires.' },
    User: { $ref: '#/components/schemas/User' },
  },
});

const throttled = failure('Too many requests (Retry-After says when to retry).', [GATEWAY_ANSWERS.throttled.code]);
const unauthorized = failure('No valid IdToken.', [GATEWAY_ANSWERS.unauthorized.code]);

const OPERATIONS: Record<string, Operation> = {
  authToken: {
    summary: 'Exchange Basic credentials for tokens',
    security: [{ basic: [] }],
    responses: {
      200: json(envelope(tokenResult(true)), 'Authenticated.'),
      400: failure('The Authorization header is not valid Basic credentials.', ['InvalidAuthorizationHeader']),
      401: failure('No credentials, or wrong username or password (one answer for all).', ['MissingCredentials', 'NotAuthorized']),
      403: failure('The user must have a new password set by the vendor.', ['PasswordResetRequired']),
      429: failure('Too many authentication requests.', ['TooManyRequests']),
      502: failure('The identity provider failed.', ['UpstreamError']),
    },
  },
  authRefresh: {
    summary: 'Exchange a RefreshToken for new tokens',
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RefreshRequest' } } } },
    responses: {
      200: json(envelope(tokenResult(false)), 'Refreshed.'),
      400: failure('The body is not valid.', ['InvalidRequest']),
      401: failure('The RefreshToken is invalid, expired or revoked.', ['NotAuthorized']),
      429: throttled,
    },
  },
  pop: {
    summary: 'Pop a Workflow onto an agent\'s Desktop',
    security: [{ idToken: [] }],
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'A repeat with the same key inside 24 hours returns the first answer and pushes nothing.',
        schema: { type: 'string', maxLength: 128 },
      },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PopRequest' } } } },
    responses: {
      202: json(envelope({ $ref: '#/components/schemas/PopAccepted' }), 'Accepted and pushed to the agent\'s Scripting instances.'),
      400: failure('The body is not valid; Details name each bad field.', ['InvalidRequest']),
      401: unauthorized,
      403: failure('The token is not an api-caller\'s.', ['Forbidden']),
      404: failure('The agent is on no connected Desktop of your tenant.', ['AgentNotOnDesktop']),
      409: failure('The record was just popped for another agent, or the same pop (or Idempotency-Key) is still in progress.', ['RecordOpenElsewhere', 'RequestInProgress']),
      413: failure('The body is too large (31 KB at most).', ['PayloadTooLarge']),
      422: failure('The Idempotency-Key was used for another request.', ['IdempotencyKeyReused']),
      429: throttled,
      503: failure('A dependency is unavailable; retry with back-off.', ['ServiceUnavailable']),
    },
  },
  popStatus: {
    summary: 'Read a pop\'s status',
    security: [{ idToken: [] }],
    parameters: [{ name: 'PopId', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      200: json(envelope({ $ref: '#/components/schemas/PopStatus' }), 'The pop.'),
      401: unauthorized,
      403: failure('The token is not an api-caller\'s.', ['Forbidden']),
      404: failure('No such pop for your tenant.', ['PopNotFound']),
      429: throttled,
    },
  },
};

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of REST_ROUTES) {
    const operation = OPERATIONS[route.handler];
    if (!operation) throw new Error(`No OpenAPI description for route handler ${route.handler}`);
    paths[route.resource] ??= {};
    paths[route.resource]![route.method.toLowerCase()] = { operationId: route.handler, ...operation };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Cloud API (Remote Pop)',
      version: API_VERSION,
      description: 'Pop a Workflow onto a named agent\'s Desktop. Every answer uses the same envelope.',
    },
    servers: [{ url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}', variables: { restApiId: { default: 'example' }, region: { default: 'eu-west-1' }, stage: { default: 'v1' } } }],
    paths,
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        idToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The IdToken from GET /auth.' },
      },
      schemas: {
        PopRequest: POP_REQUEST_SCHEMA,
        RefreshRequest: REFRESH_REQUEST_SCHEMA,
        PopAccepted: {
          type: 'object',
          required: ['PopId', 'Status'],
          properties: { PopId: { type: 'string' }, Status: { type: 'string', enum: ['Sent'] } },
        },
        PopStatus: {
          type: 'object',
          required: ['PopId', 'Username', 'Campaign', 'Status', 'CreatedAt', 'UpdatedAt'],
          properties: {
            PopId: { type: 'string' },
            Username: { type: 'string' },
            Campaign: { type: 'string' },
            Reference: { type: 'string' },
            Status: { type: 'string', enum: [...POP_STATUSES] },
            Reason: { type: 'string' },
            CreatedAt: { type: 'string', format: 'date-time' },
            UpdatedAt: { type: 'string', format: 'date-time' },
          },
        },
        AckStatus: { type: 'string', enum: [...ACK_STATUSES] },
        User: {
          type: 'object',
          properties: {
            Username: { type: 'string' },
            Email: { type: 'string', nullable: true },
            Attributes: { type: 'object', additionalProperties: { type: 'string' } },
            Created: { type: 'string', format: 'date-time', nullable: true },
            LastUpdated: { type: 'string', format: 'date-time', nullable: true },
            Status: { type: 'string', nullable: true },
          },
        },
        FailureEnvelope: {
          type: 'object',
          required: ['Success', 'Result', 'Version', 'RequestId', 'Error'],
          properties: {
            Success: { type: 'boolean', enum: [false] },
            Result: { nullable: true },
            Version: { type: 'string' },
            RequestId: { type: 'string' },
            Error: {
              type: 'object',
              required: ['Code', 'Message'],
              properties: {
                Code: { type: 'string' },
                Message: { type: 'string' },
                Details: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:fs').writeFileSync(`${__dirname}/openapi.json`, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  console.log('Wrote docs/openapi.json');
}
