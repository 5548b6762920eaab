/**
 * Compile-time proof that the SDK's types and constants (sdk/src/types.ts) are the contract's (contract/). Type
 * imports only: nothing of contract/ reaches the built package. A change of contract that the SDK does not follow
 * fails `npm run sdk:build` (which type-checks this file first) and the project's `tsc --noEmit`.
 */
import type * as contract from '../../contract';
import type * as sdk from '../src/types';

/** True only when A and B are the same type (each assignable to the other, optional fields included). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Same keys and, key by key, mutually assignable types: for object types written out versus derived by TypeBox. */
type Same<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? { [K in keyof A]-?: K extends keyof B ? Equal<A[K], B[K]> : false }[keyof A] extends true
      ? true
      : false
    : false
  : false;
type Assert<T extends true> = T;

export type ContractMatches = [
  Assert<Equal<typeof sdk.ERROR_STATUS, typeof contract.ERROR_STATUS>>,
  Assert<Equal<typeof sdk.GATEWAY_DEFAULT_4XX_CODE, typeof contract.GATEWAY_DEFAULT_4XX_CODE>>,
  Assert<Equal<typeof sdk.POP_STATUSES, typeof contract.POP_STATUSES>>,
  Assert<Equal<typeof sdk.FAILURE_REASONS, typeof contract.FAILURE_REASONS>>,
  Assert<Equal<typeof sdk.POP_REASONS, typeof contract.POP_REASONS>>,
  Assert<Equal<typeof sdk.FINAL_POP_STATUSES, typeof contract.FINAL_POP_STATUSES>>,
  Assert<Equal<sdk.ApiErrorCode, contract.ErrorCode>>,
  Assert<Same<sdk.PopRequest, contract.PopRequest>>,
  Assert<Same<sdk.PopAccepted, contract.PopAccepted>>,
  Assert<Same<sdk.PopStatusResult, contract.PopStatusResult>>,
  Assert<Same<sdk.PopEvent, contract.PopEvent>>,
  Assert<Same<sdk.EventsPage, contract.EventsPage>>,
  Assert<Same<sdk.User, contract.User>>,
  Assert<Same<sdk.TokenResult, contract.TokenResult>>,
  Assert<Same<sdk.RefreshedTokenResult, contract.RefreshedTokenResult>>,
  Assert<Same<sdk.ErrorBody, contract.ErrorBody>>,
  Assert<Same<sdk.CatalogueLink, contract.CatalogueLink>>,
  Assert<Same<sdk.CampaignOnInstance, contract.CampaignOnInstance>>,
  Assert<Same<sdk.CampaignSummary, contract.CampaignSummary>>,
  Assert<Same<sdk.CampaignsResult, contract.CampaignsResult>>,
  Assert<Same<sdk.PopValidation, contract.PopValidation>>,
  Assert<Same<sdk.WebhookRequest, contract.WebhookRequest>>,
  Assert<Same<sdk.Webhook, contract.Webhook>>,
  Assert<Same<sdk.WebhookCreated, contract.WebhookCreated>>,
  Assert<Same<sdk.WebhooksResult, contract.WebhooksResult>>,
  Assert<Same<sdk.WebhookSecretRotated, contract.WebhookSecretRotated>>,
  Assert<Equal<Extract<sdk.Envelope<unknown>, { Success: false }>, contract.FailureEnvelope>>,
];

/** The Idempotency-Key pattern is a RegExp value, not a type: sdk/src/types.ts copies contract/limits.ts's source. */
export type IdempotencyKeyPatternIsARegExp = Assert<
  Equal<typeof sdk.IDEMPOTENCY_KEY_PATTERN, typeof contract.IDEMPOTENCY_KEY_PATTERN>
>;
