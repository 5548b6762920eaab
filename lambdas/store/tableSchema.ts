/**
 * The one DynamoDB table's key design, shared by the CDK construct, the local stack and the stores.
 *
 * | item            | PK                               | SK                 | GSI1PK (ByConnection) |
 * | --------------- | -------------------------------- | ------------------ | --------------------- |
 * | connection      | CONN#<connectionId>              | CONN               | CONN#<connectionId>   |
 * | presence        | AGENT#<tenant>#<agent>           | CONN#<connectionId>| CONN#<connectionId>   |
 * | pop             | POP#<tenant>#<popId>             | POP                | -                     |
 * | record claim    | CLAIM#<tenant>#<campaign>#<ref>  | CLAIM              | -                     |
 * | idempotency key | IDEM#<tenant>#<key>              | IDEM               | -                     |
 *
 * "Which connections hold agent X of tenant T" is one Query on PK; "everything connection C owns"
 * is one Query on the ByConnection index. Free-form parts are URI-encoded so '#' cannot forge a key.
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'ExpiresAt',
  byConnectionIndex: { name: 'ByConnection', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
} as const;

const part = (value: string): string => encodeURIComponent(value);

export const keys = {
  connection: (connectionId: string) => ({ PK: `CONN#${part(connectionId)}`, SK: 'CONN' }),
  connectionIndex: (connectionId: string) => `CONN#${part(connectionId)}`,
  agent: (tenant: string, agent: string) => `AGENT#${part(tenant)}#${part(agent)}`,
  presence: (tenant: string, agent: string, connectionId: string) => ({
    PK: `AGENT#${part(tenant)}#${part(agent)}`,
    SK: `CONN#${part(connectionId)}`,
  }),
  pop: (tenant: string, popId: string) => ({ PK: `POP#${part(tenant)}#${part(popId)}`, SK: 'POP' }),
  claim: (tenant: string, campaign: string, reference: string) => ({
    PK: `CLAIM#${part(tenant)}#${part(campaign)}#${part(reference)}`,
    SK: 'CLAIM',
  }),
  idempotency: (tenant: string, key: string) => ({ PK: `IDEM#${part(tenant)}#${part(key)}`, SK: 'IDEM' }),
};

/** API Gateway closes a WebSocket after 2 hours; nothing a connection writes should outlive it by much. */
export const CONNECTION_LIFETIME_MS = (2 * 60 + 10) * 60 * 1000;

/** DynamoDB TTL is epoch seconds. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
