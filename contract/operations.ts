/**
 * The REST operations: path, method, who may call, the body, the success answer and every refusal with its codes.
 * lambdas/apiRoutes.ts binds each operation to its handler; docs/openApiDocument.ts describes them from here.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ErrorCode } from './errors';
import { EventsPage } from './events';
import { EVENT_CURSOR_PATTERN, MAX_CAMPAIGNS_PAGE, MAX_EVENTS_PAGE } from './limits';
import { CampaignSummary, CampaignsResult, PopValidation } from './catalogue';
import {
  WebhookCreated,
  WebhookDeleted,
  Webhook,
  WebhookRequest,
  WebhookSecretRotated,
  WebhooksResult,
  WebhookTestQueued,
} from './webhooks';
import { PopAccepted, PopRequest, PopStatusResult, RefreshedTokenResult, RefreshRequest, TokenResult } from './rest';

export type OperationId =
  | 'authToken'
  | 'authRefresh'
  | 'pop'
  | 'popStatus'
  | 'popRecall'
  | 'campaigns'
  | 'campaign'
  | 'popValidate'
  | 'events'
  | WebhookOperationId;

/** The webhook operations: one handler each, lambdas/webhooks/webhookHandlers.ts. */
export type WebhookOperationId =
  'webhookCreate' | 'webhookList' | 'webhookGet' | 'webhookDelete' | 'webhookRotate' | 'webhookTest';

export interface Refusal {
  readonly description: string;
  readonly codes: readonly ErrorCode[];
}

/** A query string parameter of an operation (documented in OpenAPI; checked by the handler). */
export interface QueryParameter {
  readonly name: string;
  readonly description: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface RestOperation {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path, `{Name}` for a path parameter. */
  readonly path: string;
  readonly summary: string;
  /** `basic`: credentials in the Authorization header; `idToken`: the Cognito authorizer; `none`: the body carries it. */
  readonly security: 'basic' | 'idToken' | 'none';
  readonly body?: { readonly name: string; readonly schema: TSchema };
  readonly query?: readonly QueryParameter[];
  readonly success: {
    readonly status: 200 | 202;
    readonly description: string;
    readonly name: string;
    readonly result: TSchema;
  };
  readonly refusals: Readonly<Partial<Record<number, Refusal>>>;
}

type Refusals = Readonly<Partial<Record<number, Refusal>>>;

/** Several refusal tables as one: where two give the same status, their codes are joined (no code is lost). */
function refusals(...tables: readonly Refusals[]): Refusals {
  const merged: Partial<Record<number, Refusal>> = {};
  for (const table of tables) {
    for (const [status, refusal] of Object.entries(table)) {
      const known = merged[Number(status)];
      const codes = [...new Set([...(known?.codes ?? []), ...refusal!.codes])];
      // The same codes: the later, more particular description replaces the general one.
      const joined = known !== undefined && codes.length > known.codes.length;
      const description = joined ? `${known.description} ${refusal!.description}` : refusal!.description;
      merged[Number(status)] = { description, codes };
    }
  }
  return merged;
}

/**
 * Answers API Gateway itself can give on any operation (Gateway Responses, lambdas/edge/gatewayResponses.ts), and the
 * handler wrapper's last resort (500). A function that fails or returns no valid answer is a 502, one that runs past
 * the integration timeout a 504; both carry DEFAULT_5XX's code (local/gateway/restServer.ts does the same).
 */
const gatewayRefusals: Refusals = {
  413: { description: 'The body is larger than API Gateway accepts.', codes: ['PayloadTooLarge'] },
  429: { description: 'Throttled; `Retry-After` says when to retry.', codes: ['TooManyRequests'] },
  500: { description: 'The service failed; retry later.', codes: ['InternalError'] },
  502: { description: 'API Gateway: the function failed; retry later.', codes: ['InternalError'] },
  504: { description: 'API Gateway: the function did not answer in time; retry later.', codes: ['InternalError'] },
};

const tokenRefusals: Refusals = {
  401: { description: 'No valid IdToken.', codes: ['Unauthorized'] },
  403: { description: "The token is not an api-caller's.", codes: ['Forbidden'] },
};

/**
 * What POST /pop and POST /pop/validate refuse at once from the catalogues and licences the agent's instances publish
 * (lambdas/catalogue/campaignChecks.ts). Instances that publish no catalogue get no such checks.
 */
const catalogueRefusals: Refusals = {
  403: {
    description: 'The agent holds no Remote Pop licence on any instance that has it on its Desktop.',
    codes: ['NoLicence'],
  },
  404: { description: 'No instance holding the agent publishes the campaign.', codes: ['CampaignNotFound'] },
  409: { description: 'The campaign is not active on the instances holding the agent.', codes: ['CampaignInactive'] },
  422: {
    description:
      "ScriptData does not fit the campaign's External Links (Details name each key), or the pop has no Reference and the campaign cannot create records.",
    codes: ['ScriptDataRejected', 'ReferenceRequired'],
  },
};

const webhookNotFound: Refusals = {
  404: { description: 'No such webhook for your tenant.', codes: ['WebhookNotFound'] },
  503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
};

/** Signed webhooks: api-callers only, each sees and changes its own tenant's endpoints only. */
const WEBHOOK_OPERATIONS: Readonly<Record<WebhookOperationId, RestOperation>> = {
  webhookCreate: {
    method: 'POST',
    path: '/webhooks',
    summary: 'Register a webhook endpoint; the answer holds its signing secret, shown once',
    security: 'idToken',
    body: { name: 'WebhookRequest', schema: WebhookRequest },
    success: { status: 200, description: 'Registered.', name: 'WebhookCreated', result: WebhookCreated },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      400: { description: 'The body is not valid; Details name each bad field.', codes: ['InvalidRequest'] },
      409: { description: 'Your tenant has the most webhooks it may have (10).', codes: ['TooManyWebhooks'] },
      413: { description: 'The body is too large (8 KB at most).', codes: ['PayloadTooLarge'] },
      422: {
        description:
          'The Url is not https, or names or resolves to a private, loopback, link-local or metadata address; Details say which.',
        codes: ['WebhookUrlRefused'],
      },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    }),
  },
  webhookList: {
    method: 'GET',
    path: '/webhooks',
    summary: "Your tenant's webhook endpoints and how their deliveries go",
    security: 'idToken',
    success: { status: 200, description: 'The webhooks.', name: 'WebhooksResult', result: WebhooksResult },
    refusals: refusals(gatewayRefusals, tokenRefusals, { 503: webhookNotFound[503]! }),
  },
  webhookGet: {
    method: 'GET',
    path: '/webhooks/{WebhookId}',
    summary: 'One webhook endpoint: state, last delivery, last error, failing since',
    security: 'idToken',
    success: { status: 200, description: 'The webhook.', name: 'Webhook', result: Webhook },
    refusals: refusals(gatewayRefusals, tokenRefusals, webhookNotFound),
  },
  webhookDelete: {
    method: 'DELETE',
    path: '/webhooks/{WebhookId}',
    summary: 'Remove a webhook endpoint: nothing more is delivered to it',
    security: 'idToken',
    success: { status: 200, description: 'Deleted.', name: 'WebhookDeleted', result: WebhookDeleted },
    refusals: refusals(gatewayRefusals, tokenRefusals, webhookNotFound),
  },
  webhookRotate: {
    method: 'POST',
    path: '/webhooks/{WebhookId}/rotate-secret',
    summary: 'A new signing secret; the old one keeps signing alongside for 24 hours',
    security: 'idToken',
    success: { status: 200, description: 'Rotated.', name: 'WebhookSecretRotated', result: WebhookSecretRotated },
    refusals: refusals(gatewayRefusals, tokenRefusals, webhookNotFound),
  },
  webhookTest: {
    method: 'POST',
    path: '/webhooks/{WebhookId}/test',
    summary: 'Queue a signed test delivery (`Type: webhook.test`) to the endpoint',
    security: 'idToken',
    success: { status: 202, description: 'Queued.', name: 'WebhookTestQueued', result: WebhookTestQueued },
    refusals: refusals(gatewayRefusals, tokenRefusals, webhookNotFound),
  },
};

export const REST_OPERATIONS: Readonly<Record<OperationId, RestOperation>> = {
  ...WEBHOOK_OPERATIONS,
  authToken: {
    method: 'GET',
    path: '/auth',
    summary: 'Exchange Basic credentials for tokens',
    security: 'basic',
    success: { status: 200, description: 'Authenticated.', name: 'TokenResult', result: TokenResult },
    refusals: refusals(gatewayRefusals, {
      400: {
        description: 'The Authorization header is not valid Basic credentials.',
        codes: ['InvalidAuthorizationHeader'],
      },
      401: {
        description: 'No credentials, or wrong username or password (one answer for all).',
        codes: ['MissingCredentials', 'NotAuthorized'],
      },
      403: { description: 'The user must have a new password set by the vendor.', codes: ['PasswordResetRequired'] },
      502: { description: 'The identity provider failed.', codes: ['UpstreamError'] },
    }),
  },
  authRefresh: {
    method: 'POST',
    path: '/auth/refresh',
    summary: 'Exchange a RefreshToken for new tokens',
    security: 'none',
    body: { name: 'RefreshRequest', schema: RefreshRequest },
    success: { status: 200, description: 'Refreshed.', name: 'RefreshedTokenResult', result: RefreshedTokenResult },
    refusals: refusals(gatewayRefusals, {
      400: { description: 'The body is not valid; Details name each bad field.', codes: ['InvalidRequest'] },
      401: { description: 'The RefreshToken is invalid, expired or revoked.', codes: ['NotAuthorized'] },
      403: { description: 'The user must have a new password set by the vendor.', codes: ['PasswordResetRequired'] },
      413: { description: 'The body is too large (8 KB at most).', codes: ['PayloadTooLarge'] },
      502: { description: 'The identity provider failed.', codes: ['UpstreamError'] },
    }),
  },
  pop: {
    method: 'POST',
    path: '/pop',
    summary: "Pop a Workflow onto an agent's Desktop",
    security: 'idToken',
    body: { name: 'PopRequest', schema: PopRequest },
    success: {
      status: 202,
      description:
        "Accepted and pushed to the agent's Scripting instances (Sent), or held until the agent appears (Held: the agent is on no Desktop and HoldSeconds was given).",
      name: 'PopAccepted',
      result: PopAccepted,
    },
    refusals: refusals(
      gatewayRefusals,
      tokenRefusals,
      {
        400: {
          description: 'The body or the Idempotency-Key is not valid; Details name each one.',
          codes: ['InvalidRequest'],
        },
        404: {
          description: 'The agent is on no connected Desktop of your tenant, and HoldSeconds was not given.',
          codes: ['AgentNotOnDesktop'],
        },
        409: {
          description:
            'The record was just popped for another agent, or the same pop (or Idempotency-Key) is still in progress.',
          codes: ['RecordOpenElsewhere', 'RequestInProgress'],
        },
        413: { description: 'The body is too large (31 KB at most).', codes: ['PayloadTooLarge'] },
        422: { description: 'The Idempotency-Key was used for another request.', codes: ['IdempotencyKeyReused'] },
        503: {
          description: 'A dependency is unavailable; retry with back-off and the same Idempotency-Key.',
          codes: ['ServiceUnavailable'],
        },
      },
      catalogueRefusals,
    ),
  },
  popValidate: {
    method: 'POST',
    path: '/pop/validate',
    summary: 'Dry run: what POST /pop would do with this body, without claiming, storing or pushing',
    security: 'idToken',
    body: { name: 'PopRequest', schema: PopRequest },
    success: {
      status: 200,
      description:
        'A pop with this body would be pushed now, or held (Status Held) when the agent is absent and HoldSeconds is given.',
      name: 'PopValidation',
      result: PopValidation,
    },
    refusals: refusals(
      gatewayRefusals,
      tokenRefusals,
      {
        400: { description: 'The body is not valid; Details name each bad field.', codes: ['InvalidRequest'] },
        404: {
          description: 'The agent is on no connected Desktop of your tenant, and HoldSeconds was not given.',
          codes: ['AgentNotOnDesktop'],
        },
        413: { description: 'The body is too large (31 KB at most).', codes: ['PayloadTooLarge'] },
        503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
      },
      catalogueRefusals,
    ),
  },
  campaigns: {
    method: 'GET',
    path: '/campaigns',
    summary: "Your tenant's campaigns, as its connected Scripting instances publish them, a page at a time",
    security: 'idToken',
    query: [
      {
        name: 'next',
        description: 'The `Next` of the previous page; absent: the first page.',
        schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,4096}$' },
      },
      {
        name: 'limit',
        description: `Campaigns per page, 1 to ${MAX_CAMPAIGNS_PAGE} (default ${MAX_CAMPAIGNS_PAGE}); a page also ends at about 1 MB of definitions.`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_CAMPAIGNS_PAGE },
      },
    ],
    success: {
      status: 200,
      description: 'A page of the campaigns.',
      name: 'CampaignsResult',
      result: CampaignsResult,
    },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      400: {
        description: '`next` or `limit` is not valid (a `next` from another tenant too); Details name each one.',
        codes: ['InvalidRequest'],
      },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    }),
  },
  campaign: {
    method: 'GET',
    path: '/campaigns/{Name}',
    summary: 'One campaign of your tenant, with the JSON Schema of its ScriptData',
    security: 'idToken',
    success: { status: 200, description: 'The campaign.', name: 'CampaignSummary', result: CampaignSummary },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      404: {
        description: 'No connected instance of your tenant publishes this campaign.',
        codes: ['CampaignNotFound'],
      },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    }),
  },
  popStatus: {
    method: 'GET',
    path: '/pops/{PopId}',
    summary: "Read a pop's status",
    security: 'idToken',
    success: { status: 200, description: 'The pop.', name: 'PopStatusResult', result: PopStatusResult },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      404: { description: 'No such pop for your tenant.', codes: ['PopNotFound'] },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    }),
  },
  popRecall: {
    method: 'DELETE',
    path: '/pops/{PopId}',
    summary: 'Recall a pop that has not opened: its instances drop it, its record claim is released',
    security: 'idToken',
    success: {
      status: 200,
      description: 'Recalled (also when it already was: a repeat changes nothing). Status is `Recalled`.',
      name: 'PopStatusResult',
      result: PopStatusResult,
    },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      404: { description: 'No such pop for your tenant.', codes: ['PopNotFound'] },
      409: {
        description:
          'The pop has opened on a Desktop (`AlreadyOpened`), or it ended otherwise, `Unchanged` or `Failed` (`AlreadyFinal`): nothing to recall.',
        codes: ['AlreadyOpened', 'AlreadyFinal'],
      },
      503: {
        description: 'A dependency is unavailable; retry with back-off (a repeat is safe).',
        codes: ['ServiceUnavailable'],
      },
    }),
  },
  events: {
    method: 'GET',
    path: '/events',
    summary: "Read your tenant's pop events after a cursor (replayable)",
    security: 'idToken',
    query: [
      {
        name: 'after',
        description: 'The Cursor of the last event you handled (opaque); absent: from the oldest event kept.',
        schema: { type: 'string', pattern: EVENT_CURSOR_PATTERN.source },
      },
      {
        name: 'limit',
        description: `Events per page, 1 to ${MAX_EVENTS_PAGE} (default ${MAX_EVENTS_PAGE}).`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_EVENTS_PAGE },
      },
    ],
    success: {
      status: 200,
      description: 'The events after the cursor, oldest first.',
      name: 'EventsPage',
      result: EventsPage,
    },
    refusals: refusals(gatewayRefusals, tokenRefusals, {
      400: { description: '`after` or `limit` is not valid; Details name each one.', codes: ['InvalidRequest'] },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    }),
  },
};
