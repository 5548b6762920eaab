/**
 * The one DynamoDB table's key design, shared by the CDK construct, the local stack and the stores.
 *
 * | item            | PK                               | SK                 | GSI1PK (ByConnection) |
 * | --------------- | -------------------------------- | ------------------ | --------------------- |
 * | connection      | CONN#<connectionId>              | CONN               | CONN#<connectionId>   |
 * | presence        | AGENT#<tenant>#<agent>           | CONN#<connectionId>| CONN#<connectionId>   |
 * | held agent      | CONN#<connectionId>              | AGENT#<agent>      | -                     |
 * | Desktop part    | CONN#<connectionId>              | DESKTOP#<seq>#<n>  | -                     |
 * | Desktop parts   | CONN#<connectionId>              | DESKTOPSET#<seq>   | -                     |
 * | catalogue entry | CATALOG#<tenant>                 | <campaign>#CONN#<connectionId> | CONN#<connectionId> |
 * | pop             | POP#<tenant>#<popId>             | POP                | -                     |
 * | record claim    | CLAIM#<tenant>#<campaign>#<ref>  | CLAIM              | -                     |
 * | idempotency key | IDEM#<tenant>#<key>              | IDEM               | -                     |
 * | event sequence  | EVSEQ#<tenant>#<shard>           | EVSEQ              | -                     |
 * | event (or gap)  | EVENTS#<tenant>#<shard>          | <seq, 15 digits>   | -                     |
 * | event's place   | EVKEY#<tenant>#<eventId>         | EVKEY              | -                     |
 * | webhook         | WEBHOOK#<tenant>                 | <webhookId>        | -                     |
 * | held pop's turn | HELD#<tenant>                    | A#<agent>#<ms, 15 digits>#<popId> | -      |
 * | held record     | HOLDREF#<tenant>#<agent>#<campaign>#<ref> | HOLDREF   | -                     |
 *
 * "Which connections hold agent X of tenant T" is one Query on PK; "everything connection C owns"
 * is one Query on the ByConnection index. Free-form parts are URI-encoded so '#' cannot forge a key, and hashed when
 * long (`part`), so every value the contract accepts fits DynamoDB's key limits.
 */
import { createHash } from 'node:crypto';
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'ExpiresAt',
  byConnectionIndex: { name: 'ByConnection', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
} as const;

/**
 * A key part's encoded form is at most this many bytes. DynamoDB refuses a partition key over 2048 bytes and a sort key
 * over 1024, and URI-encoding turns one character into up to 12 bytes, so a 256-character Reference could reach 3072.
 * With every free-form part bounded here the longest key (a claim: prefix, tenant of 63, campaign, reference) stays
 * under 800 bytes.
 */
export const MAX_KEY_PART_BYTES = 256;

/**
 * A free-form key part: URI-encoded so '#' cannot forge a key; past MAX_KEY_PART_BYTES, '=' and the SHA-256 of the
 * value (base64url, 43 characters). encodeURIComponent always escapes '=', so no encoded value can equal a hashed one.
 * The values themselves are stored as attributes; keys are never read back.
 */
export function part(value: string): string {
  const encoded = encodeURIComponent(value);
  return encoded.length <= MAX_KEY_PART_BYTES
    ? encoded
    : `=${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}

export const keys = {
  connection: (connectionId: string) => ({ PK: `CONN#${part(connectionId)}`, SK: 'CONN' }),
  connectionIndex: (connectionId: string) => `CONN#${part(connectionId)}`,
  agent: (tenant: string, agent: string) => `AGENT#${part(tenant)}#${part(agent)}`,
  presence: (tenant: string, agent: string, connectionId: string) => ({
    PK: `AGENT#${part(tenant)}#${part(agent)}`,
    SK: `CONN#${part(connectionId)}`,
  }),
  /** The connection's own record of an agent it holds: read strongly consistently, unlike the ByConnection index. */
  heldAgent: (connectionId: string, agent: string) => ({
    PK: `CONN#${part(connectionId)}`,
    SK: `AGENT#${part(agent)}`,
  }),
  desktopPart: (connectionId: string, sequence: number, partNumber: number) => ({
    PK: `CONN#${part(connectionId)}`,
    SK: `DESKTOP#${sequence}#${partNumber}`,
  }),
  /** Every part of one Desktop list: `begins_with` on this (the closing '#' keeps sequence 1 from matching 10). */
  desktopPartsPrefix: (sequence: number) => `DESKTOP#${sequence}#`,
  desktopParts: (connectionId: string, sequence: number) => ({
    PK: `CONN#${part(connectionId)}`,
    SK: `DESKTOPSET#${sequence}`,
  }),
  /** A tenant's campaign catalogues: one item per campaign and connection (lambdas/catalogue/catalogueStore.ts). */
  catalogue: (tenant: string) => `CATALOG#${part(tenant)}`,
  /** Every connection's entry for one campaign: `begins_with` on this (the closing '#' keeps "Sales" from matching "Sales2"). */
  catalogueCampaignPrefix: (campaign: string) => `${part(campaign)}#`,
  catalogueEntry: (tenant: string, campaign: string, connectionId: string) => ({
    PK: `CATALOG#${part(tenant)}`,
    SK: `${part(campaign)}#CONN#${part(connectionId)}`,
  }),
  pop: (tenant: string, popId: string) => ({ PK: `POP#${part(tenant)}#${part(popId)}`, SK: 'POP' }),
  claim: (tenant: string, campaign: string, reference: string) => ({
    PK: `CLAIM#${part(tenant)}#${part(campaign)}#${part(reference)}`,
    SK: 'CLAIM',
  }),
  idempotency: (tenant: string, key: string) => ({ PK: `IDEM#${part(tenant)}#${part(key)}`, SK: 'IDEM' }),
  /**
   * A tenant's feed is spread over shards (lambdas/events/feedPartitions.ts); no shard: the unsharded partition of the
   * feed written before it was sharded, still read.
   */
  eventSequence: (tenant: string, shard?: number) => ({
    PK: `EVSEQ#${part(tenant)}${shard === undefined ? '' : `#${shard}`}`,
    SK: 'EVSEQ',
  }),
  events: (tenant: string, shard?: number) => `EVENTS#${part(tenant)}${shard === undefined ? '' : `#${shard}`}`,
  /** Zero-padded, so the sort key's string order is the sequence's order. */
  eventSlot: (seq: number) => String(seq).padStart(15, '0'),
  /** A tenant's webhook endpoints (lambdas/webhooks/webhookStore.ts): one partition, listed with one Query. */
  webhooks: (tenant: string) => `WEBHOOK#${part(tenant)}`,
  webhook: (tenant: string, webhookId: string) => ({ PK: `WEBHOOK#${part(tenant)}`, SK: part(webhookId) }),
  /**
   * A tenant's held pops (lambdas/pops/heldPopStore.ts), one partition: "anything held?" is one Query of it, an agent's
   * held pops in the order they were accepted one Query on `heldAgentPrefix`.
   */
  held: (tenant: string) => `HELD#${part(tenant)}`,
  heldAgentPrefix: (agent: string) => `A#${part(agent)}#`,
  heldTurn: (tenant: string, agent: string, acceptedAt: number, popId: string) => ({
    PK: `HELD#${part(tenant)}`,
    SK: `A#${part(agent)}#${String(acceptedAt).padStart(15, '0')}#${part(popId)}`,
  }),
  /** The one pop held for an agent and record: a repeat while it is held gets its PopId. */
  heldRecord: (tenant: string, agent: string, campaign: string, reference: string) => ({
    PK: `HOLDREF#${part(tenant)}#${part(agent)}#${part(campaign)}#${part(reference)}`,
    SK: 'HOLDREF',
  }),
  eventPlace: (tenant: string, eventId: string) => ({ PK: `EVKEY#${part(tenant)}#${part(eventId)}`, SK: 'EVKEY' }),
};

/** API Gateway closes a WebSocket after 2 hours; nothing a connection writes should outlive it by much. */
export const CONNECTION_LIFETIME_MS = (2 * 60 + 10) * 60 * 1000;

/** DynamoDB TTL is epoch seconds. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
