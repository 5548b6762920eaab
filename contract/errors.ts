/**
 * Every `Error.Code` the API answers, with its HTTP status. Plain constants: the edge adapters map a domain outcome
 * to one of these, the documents list them per operation.
 */
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

export type ErrorCode = keyof typeof ERROR_STATUS;

/** API Gateway's catch-all for 4xx it answers itself (405 and the like); its status is the one API Gateway chose. */
export const GATEWAY_DEFAULT_4XX_CODE = 'BadRequest';

/** Codes of the `Error` message the API sends an instance over the WebSocket. */
export const WEBSOCKET_ERROR_CODES = [
  'InvalidMessage',
  'UnknownAction',
  'Unauthorized',
  'PopNotFound',
  'ServiceUnavailable',
  'InternalError',
] as const;
export type WebSocketErrorCode = (typeof WEBSOCKET_ERROR_CODES)[number];
