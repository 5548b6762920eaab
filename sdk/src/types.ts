/**
 * The API's bodies, results and codes as the SDK's callers see them. Written out here (not imported) so that the
 * published declarations stand alone: a caller installs this package without contract/ or a schema library.
 * sdk/typecheck/contractTypes.ts asserts, at compile time, that each one equals its definition in contract/, so a
 * change of contract breaks `npm run sdk:build` and `tsc --noEmit` until the SDK follows it.
 */

/** Every `Error.Code` the API answers, with its HTTP status (contract/errors.ts ERROR_STATUS). */
export const ERROR_STATUS = {
  InvalidRequest: 400,
  InvalidAuthorizationHeader: 400,
  MissingCredentials: 401,
  NotAuthorized: 401,
  Unauthorized: 401,
  Forbidden: 403,
  NoLicence: 403,
  PasswordResetRequired: 403,
  NotFound: 404,
  PopNotFound: 404,
  AgentNotOnDesktop: 404,
  CampaignNotFound: 404,
  WebhookNotFound: 404,
  RecordOpenElsewhere: 409,
  RequestInProgress: 409,
  CampaignInactive: 409,
  AlreadyOpened: 409,
  AlreadyFinal: 409,
  PayloadTooLarge: 413,
  IdempotencyKeyReused: 422,
  ScriptDataRejected: 422,
  ReferenceRequired: 422,
  WebhookUrlRefused: 422,
  TooManyWebhooks: 409,
  TooManyRequests: 429,
  InternalError: 500,
  UpstreamError: 502,
  ServiceUnavailable: 503,
} as const;

/** A code the API answers in `Error.Code`. */
export type ApiErrorCode = keyof typeof ERROR_STATUS;

/** API Gateway's catch-all code for a 4xx it answers itself (405 and the like). */
export const GATEWAY_DEFAULT_4XX_CODE = 'BadRequest';

/**
 * Codes the SDK gives when the API gave none: the network failed, the deadline passed before an answer, the answer
 * was not the API's envelope, `waitFor` ran out of time.
 */
export type ClientErrorCode = 'NetworkError' | 'DeadlineExceeded' | 'InvalidResponse' | 'WaitTimeout';

export type ErrorCode = ApiErrorCode | typeof GATEWAY_DEFAULT_4XX_CODE | ClientErrorCode;

/** The statuses of a pop, in the order they can only move forward (contract/statuses.ts). */
export const POP_STATUSES = [
  'Held',
  'Sent',
  'Delivered',
  'Opened',
  'Unchanged',
  'Failed',
  'Recalled',
  'Expired',
] as const;
export type PopStatus = (typeof POP_STATUSES)[number];

/** Statuses a pop never leaves. `Held` waits for its agent; it ends Sent (then on), Recalled or Expired. */
export const FINAL_POP_STATUSES: readonly PopStatus[] = ['Opened', 'Unchanged', 'Failed', 'Recalled', 'Expired'];

/** Why a pop failed (contract/statuses.ts). */
export const FAILURE_REASONS = [
  'NoLicence',
  'UnknownCampaign',
  'RecordOpenElsewhere',
  'AgentNotOnDesktop',
  'PluginDisabled',
  'RecordCreationNotAllowed',
  'Undeliverable',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A pop's Reason: why it failed, or why it is Expired: `HoldExpired` or `Unconfirmed` (contract/statuses.ts). */
export const POP_REASONS = [
  ...FAILURE_REASONS,
  'CampaignInactive',
  'ScriptDataRejected',
  'HoldExpired',
  'Unconfirmed',
] as const;
export type PopReason = (typeof POP_REASONS)[number];

/** The `Idempotency-Key` header: 1 to 128 visible ASCII characters (contract/limits.ts). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** A value an External Link carries into a Field or a Workflow Variable. */
export type ScriptValue = string | number | boolean;

/** `POST /pop`: pop the campaign's Workflow onto the agent's Desktop. */
export interface PopRequest {
  /** The agent's Desktop username. */
  Username: string;
  /** The campaign whose Workflow opens. */
  Campaign: string;
  /** The record reference; absent: the instance creates a record (CSAUTO-...) if the campaign allows it. */
  Reference?: string;
  /** External Link names (e.g. "Contact Name", "var_ContactReason") to values. */
  ScriptData?: Record<string, ScriptValue>;
  /**
   * 1 to 86,400. When the agent is on no connected Desktop: hold the pop this many seconds and deliver it once the
   * agent appears (`Status: 'Held'`) instead of AgentNotOnDesktop; past it the pop is Expired.
   */
  HoldSeconds?: number;
}

/** `POST /pop`'s result (202). */
export interface PopAccepted {
  PopId: string;
  /** Sent: pushed now. Held: the agent is on no Desktop; delivered when it appears, or Expired. */
  Status: 'Sent' | 'Held';
}

/** `GET /pops/{PopId}`'s result. */
export interface PopStatusResult {
  PopId: string;
  Username: string;
  Campaign: string;
  Reference?: string;
  Status: PopStatus;
  Reason?: PopReason;
  CreatedAt: string;
  UpdatedAt: string;
}

/** One change of a pop's status in your tenant's event feed (`GET /events`). */
export interface PopEvent {
  /** This event's place in the feed: store it, and resume with `events({ after: cursor })`. */
  Cursor: string;
  /** Stable for one status change of one pop: deduplicate on it. */
  EventId: string;
  Type: 'pop.status';
  PopId: string;
  Status: PopStatus;
  Reason?: PopReason;
  Username: string;
  Campaign: string;
  Reference?: string;
  /** When the pop took this status. */
  OccurredAt: string;
}

/** `GET /events`'s result: the events after a cursor, oldest first, and the cursor to continue from. */
export interface EventsPage {
  Events: PopEvent[];
  Cursor: string;
}

/** One External Link of an external campaign, as an instance publishes it (`GET /campaigns`). */
export interface CatalogueLink {
  Name: string;
  Fills: 'Field' | 'Variable';
  Target: string;
  Type?: 'string' | 'number' | 'boolean';
  Required: boolean;
}

/** One instance's definition of a campaign, with the JSON Schema of the ScriptData it accepts. */
export interface CampaignOnInstance {
  Instance: string;
  Active: boolean;
  Type: 'external' | 'internal';
  AllowRecordCreation: boolean;
  Workflow: string;
  ExternalLinks: CatalogueLink[];
  ScriptDataSchema: Record<string, unknown>;
  Agents: number;
}

/** `GET /campaigns/{Name}`'s result, and each item of `GET /campaigns`. */
export interface CampaignSummary {
  Name: string;
  Agents: number;
  Instances: CampaignOnInstance[];
}

/** One page of `GET /campaigns`. */
export interface CampaignsResult {
  Campaigns: CampaignSummary[];
  /** Present while more campaigns follow: pass it as `next` for the next page. */
  Next?: string;
}

/** `POST /pop/validate`'s result: a pop with this body would be pushed now. */
export interface PopValidation {
  Valid: true;
  Checks: ('AgentOnDesktop' | 'Licence' | 'CampaignFound' | 'CampaignActive' | 'Reference' | 'ScriptData')[];
  Instances: number;
  UncheckedInstances: number;
  /** Held: the agent is on no Desktop and HoldSeconds was given, so POST /pop would hold the pop. */
  Status?: 'Held';
}

/** The user the tokens belong to. */
export interface User {
  Username: string;
  Email: string | null;
  Attributes: Record<string, string>;
  Created: string | null;
  LastUpdated: string | null;
  Status: string | null;
}

/** `GET /auth`'s result. */
export interface TokenResult {
  Authenticated: true;
  IdToken: string;
  AccessToken: string;
  ExpiresIn: number;
  User: User;
  RefreshToken: string;
}

/** `POST /auth/refresh`'s result: the same without a new RefreshToken. */
export type RefreshedTokenResult = Omit<TokenResult, 'RefreshToken'>;

/** `Error` of a failure envelope. */
export interface ErrorBody {
  Code: string;
  Message: string;
  Details?: string[];
}

/** Every answer of the API, success or failure. */
export type Envelope<T> =
  | { Success: true; Result: T; Version: string; RequestId: string }
  | { Success: false; Result: null; Version: string; RequestId: string; Error: ErrorBody };

/** `POST /webhooks`: an endpoint to register (https; `Events` absent: every status). */
export interface WebhookRequest {
  Url: string;
  Events?: PopStatus[];
}

/** A registered webhook endpoint and how its deliveries go; the secret is never shown again. */
export interface Webhook {
  WebhookId: string;
  Url: string;
  Events: PopStatus[];
  State: 'Active' | 'Failing';
  CreatedAt: string;
  LastDeliveryAt?: string;
  LastError?: string;
  FailingSince?: string;
  DeadLettered: number;
  PreviousSecretExpiresAt?: string;
}

/** The answer to `POST /webhooks`: the endpoint and its signing secret (`whsec_...`), shown this once. */
export interface WebhookCreated extends Webhook {
  Secret: string;
}

export interface WebhooksResult {
  Webhooks: Webhook[];
}

/** The answer to a secret rotation: the new secret, shown once; the old one also signs until the date given. */
export interface WebhookSecretRotated {
  WebhookId: string;
  Secret: string;
  PreviousSecretExpiresAt: string;
}
