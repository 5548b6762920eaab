/**
 * The limits every message is bound by, and why. Plain constants (no schema library), so that the smallest Lambda
 * bundles can import them. The reasoning for each lives in docs/contract.md.
 */

/** A WebSocket frame to an instance is at most 32 KB; the pushed message adds about 200 bytes to the pop body. */
export const MAX_POP_BODY_BYTES = 31 * 1024;
/** Bodies of the small operations (a refresh token). */
export const MAX_SMALL_BODY_BYTES = 8 * 1024;
/**
 * Agents on one connection's Desktop, by `Desktop` and `Login` alike (one cap). A list this long does not fit one
 * WebSocket frame, so the instance sends it in parts (`MAX_DESKTOP_PARTS`).
 */
export const MAX_DESKTOP_AGENTS = 5000;
/**
 * Parts of one Desktop list. 5,000 names of 128 characters of 4 UTF-8 bytes take about 2.6 MB of JSON, 80 frames of
 * 32 KB: 100 leaves room for JSON escapes.
 */
export const MAX_DESKTOP_PARTS = 100;
/** API Gateway WebSocket APIs: one frame is at most 32 KB; a larger frame closes the connection (1009). */
export const MAX_WEBSOCKET_FRAME_BYTES = 32 * 1024;
/** API Gateway WebSocket APIs: one message (of one or more frames) is at most 128 KB. */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 128 * 1024;
/**
 * A held pop waits at most a day for its agent (POST /pop's HoldSeconds, docs/held-pops.md): a contact centre's
 * callbacks for the next shift, within the Idempotency-Key's 24 hours, so a retry always finds the held pop.
 */
export const MAX_HOLD_SECONDS = 86_400;
/** Agent usernames, as the Desktop knows them. */
export const MAX_AGENT_NAME_LENGTH = 128;
export const MAX_CAMPAIGN_LENGTH = 256;
export const MAX_REFERENCE_LENGTH = 256;
export const MAX_SCRIPT_DATA_ENTRIES = 500;
export const MAX_SCRIPT_VALUE_LENGTH = 16384;
export const MAX_POP_ID_LENGTH = 128;
export const MAX_REFRESH_TOKEN_LENGTH = 4096;
/** The Idempotency-Key header: visible ASCII only. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
/**
 * Identifiers (agents, campaigns, references) carry no control characters (emptiness is minLength's to report): no C0
 * or C1 controls (`\u009b` is a terminal's CSI), no line or paragraph separators (U+2028, U+2029) and no bidi controls
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which reorder or split a log line or a terminal's text.
 */
export const PRINTABLE_PATTERN =
  '^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]*$';
/**
 * The `Pop` message an instance receives, serialised: one WebSocket frame (32 KB). The body cap alone does not bound
 * it, since JSON numbers are re-written when serialised (`1e20` becomes `100000000000000000000`).
 */
export const MAX_POP_MESSAGE_BYTES = 32 * 1024;
/** An Ack's Reason: a code word such as `NoLicence`. */
export const REASON_PATTERN = '^[A-Za-z][A-Za-z0-9]*$';
/** GET /events: events per page at most (the default is the same). */
export const MAX_EVENTS_PAGE = 100;
/** GET /campaigns: campaigns per page at most (the default is the same). */
export const MAX_CAMPAIGNS_PAGE = 100;
/**
 * GET /campaigns: a page also ends once its campaigns' definitions pass this many bytes of JSON, so an answer stays
 * well under Lambda's 6 MB response limit (each instance's definition is shown with its ScriptData schema).
 */
export const MAX_CAMPAIGNS_PAGE_BYTES = 1024 * 1024;
/**
 * Shards of one tenant's event feed (lambdas/events/feedPartitions.ts): a cursor names a place in each. Raising it is
 * safe for cursors already handed out (a shard they do not name is read from its start); lowering it is not.
 */
export const EVENT_FEED_SHARDS = 4;
/**
 * A feed cursor (opaque to callers): decimal places, the unsharded feed's first, then one per shard, trailing zeros
 * left out; so a cursor from before the feed was sharded (one number) is still one.
 */
export const EVENT_CURSOR_PATTERN = new RegExp(
  `^(0|[1-9][0-9]{0,14})(\\.(0|[1-9][0-9]{0,14})){0,${EVENT_FEED_SHARDS}}$`,
);
/** Campaigns one instance publishes in its catalogue, over all the parts of one `Catalogue` publication. */
export const MAX_CATALOGUE_CAMPAIGNS = 1000;
/** Parts of one catalogue publication: each part is one WebSocket frame (32 KB) holding whole campaigns. */
export const MAX_CATALOGUE_PARTS = 1000;
/** External Links of one campaign in the catalogue; with MAX_LINK_NAME_LENGTH a campaign's entry fits one frame. */
export const MAX_CAMPAIGN_LINKS = 100;
/** An External Link's name (the ScriptData key) and the Field or Variable it fills, in the catalogue. */
export const MAX_LINK_NAME_LENGTH = 64;
/** A catalogue publication's or a licence update's Sequence: a non-negative integer JSON carries exactly. */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** Webhook endpoints per tenant: each event is one queued delivery per endpoint (lambdas/webhooks/enqueue.ts). */
export const MAX_WEBHOOKS_PER_TENANT = 10;
/** The longest Url POST /webhooks accepts. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
