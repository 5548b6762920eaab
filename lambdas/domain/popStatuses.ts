/**
 * The statuses of a pop (CONTRACT.md). Kept apart from the store so that modules which only need the names (message
 * schemas, docs) do not pull the DynamoDB client into their bundles.
 */
export const POP_STATUSES = ['Sent', 'Delivered', 'Opened', 'Unchanged', 'Failed'] as const;
export type PopStatus = (typeof POP_STATUSES)[number];
/** What an instance may report in an Ack. */
export const ACK_STATUSES = ['Delivered', 'Opened', 'Unchanged', 'Failed'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];
