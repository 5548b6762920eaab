/**
 * The statuses of a pop and what an instance may acknowledge. Plain constants, so modules that only need the names
 * do not pull a schema library into their bundles.
 */
export const POP_STATUSES = ['Sent', 'Delivered', 'Opened', 'Unchanged', 'Failed', 'Recalled'] as const;
export type PopStatus = (typeof POP_STATUSES)[number];

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
