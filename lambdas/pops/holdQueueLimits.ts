/** The hold timer's SQS bounds (holdExpiry.ts), plain constants for the stack (lib/heldPops.ts) and the local queue. */

/** SQS: DelaySeconds is at most 900, a visibility timeout at most 43,200 (12 hours). */
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_SECONDS = 43_200;
/** A 24-hour hold is received at 15 minutes, 12 h 15 min and 24 h: 3 receives; the rest is room for retries. */
export const HOLD_MAX_RECEIVES = 10;
