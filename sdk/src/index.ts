/**
 * @remote-pop/client: pop a Workflow onto a named agent's Desktop through the Remote Pop Cloud API, with one token
 * per client, safe retries (the same Idempotency-Key on every attempt) and typed errors. See sdk/README.md.
 * @packageDocumentation
 */
export {
  RemotePopClient,
  type EventsOptions,
  type FeedItem,
  type PasswordCredentials,
  type PopOptions,
  type RemotePopClientOptions,
  type TokenProviderCredentials,
  type WaitOptions,
} from './client';
export {
  PopNotOpenedError,
  RefusedError,
  RemotePopError,
  UnavailableError,
  WaitTimeoutError,
  WebhookVerificationError,
  type ErrorFields,
} from './errors';
export type { FetchFunction } from './http';
export { isRetryable, type RetryOptions } from './retry';
export type { TokenProvider } from './tokens';
export type { CallOptions, Logger } from './transport';
export { verifyWebhook, type VerifyWebhookOptions, type WebhookHeaders } from './webhooks';
export * from './types';
