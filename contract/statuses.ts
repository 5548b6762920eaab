/**
 * The statuses of a pop and what an instance may acknowledge. Plain constants, so modules that only need the names
 * do not pull a schema library into their bundles.
 */
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

/**
 * Statuses a pop never leaves. `Held` (the agent was on no Desktop and the pop asked to wait, docs/held-pops.md) is not
 * final: it becomes Sent when the agent appears, Recalled, or Expired (Reason `HoldExpired`) at its deadline.
 */
export const FINAL_POP_STATUSES: readonly PopStatus[] = ['Opened', 'Unchanged', 'Failed', 'Recalled', 'Expired'];

/**
 * What an instance may report in an Ack. `Recalled` only confirms a recall the API made (DELETE /pops/{PopId}): the
 * instance dropped the pop before opening it (lambdas/pops/status.ts).
 */
export const ACK_STATUSES = ['Delivered', 'Opened', 'Unchanged', 'Failed', 'Recalled'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/** Why a pop failed: the instance's reasons (logged at Warn on the Desktop) and the API's own. */
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

/**
 * A pop's Reason: why it failed, or why it is Expired: `HoldExpired` (a held pop's deadline passed before its agent
 * appeared) or `Unconfirmed` (pushed, but no instance said what became of it within the claim window: it may have
 * opened; a late Ack still applies, lambdas/pops/popStore.ts `asOf`). A held pop is checked when its agent appears,
 * so it may also fail on `CampaignInactive` or `ScriptDataRejected`, which POST /pop otherwise refuses at once
 * (lambdas/pops/heldPops.ts).
 */
export const POP_REASONS = [
  ...FAILURE_REASONS,
  'CampaignInactive',
  'ScriptDataRejected',
  'HoldExpired',
  'Unconfirmed',
] as const;
export type PopReason = (typeof POP_REASONS)[number];

/**
 * The up-front checks of a pop, in the order `POST /pop` applies them (lambdas/catalogue/campaignChecks.ts) and
 * `POST /pop/validate` reports them passed; a refusal at a later check says more about the pop than an earlier one.
 */
export const POP_CHECKS = [
  'AgentOnDesktop',
  'Licence',
  'CampaignFound',
  'CampaignActive',
  'Reference',
  'ScriptData',
] as const;
export type PopCheck = (typeof POP_CHECKS)[number];
