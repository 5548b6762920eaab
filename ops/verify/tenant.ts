/**
 * The tenant a round trip runs as, and what it leaves behind. `verify` provisions a temporary tenant and removes it
 * (users, webhooks, pops and every other item of the tenant); the canary keeps one standing tenant whose two users get a
 * fresh password on every run (never stored anywhere), and removes only what each run wrote to the table.
 */
import { randomBytes } from 'node:crypto';
import {
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { POP_STATUSES } from '../../contract/statuses';
import { EVENT_FEED_SHARDS } from '../../contract/limits';
import { keys } from '../../lambdas/store/tableSchema';
import { generatePassword } from '../../provisioning/password';
import { createTenantUser } from '../../provisioning/tenantUsers';
import { ensureTenantKey, removeTenantKey, type UsagePlanTarget } from '../../provisioning/tenantKeys';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface TenantUsers {
  readonly api: Credentials;
  readonly instance: Credentials;
}

export interface UserPool {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  /** The stack's usage plans: a temporary tenant's API key goes on the default plan (limits per tenant). */
  readonly usagePlans?: UsagePlanTarget;
}

/** Who a round trip runs as. */
export interface Identity {
  readonly tenant: string;
  /** The api caller and the Scripting instance user, with passwords good for this run. */
  provision(pool: UserPool): Promise<TenantUsers>;
  /** Removes the users `provision` created (a temporary tenant); a standing tenant keeps them. */
  release(pool: UserPool): Promise<void>;
}

/** A tenant of its own for one `verify` run: `verify-<8 hex>`, two users, all removed at the end. */
export function temporaryTenant(): Identity {
  const tenant = `verify-${randomBytes(4).toString('hex')}`;
  const usernames = { api: `${tenant}-api`, instance: `${tenant}-instance` };
  return {
    tenant,
    async provision(pool) {
      const users = {
        api: { username: usernames.api, password: generatePassword() },
        instance: { username: usernames.instance, password: generatePassword() },
      };
      for (const role of ['api', 'instance'] as const) {
        await createTenantUser(pool.cognito, pool.userPoolId, { tenant, role, ...users[role] });
      }
      if (pool.usagePlans) await ensureTenantKey(pool.usagePlans, tenant);
      return users;
    },
    async release(pool) {
      if (pool.usagePlans) await removeTenantKey(pool.usagePlans, tenant);
      for (const username of Object.values(usernames)) {
        await pool.cognito
          .send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: username }))
          .catch((error: Error) => {
            if (error.name !== 'UserNotFoundException') throw error;
          });
      }
    },
  };
}

/** The canary's tenant: its users are created on the first run and get a new random password on every run. */
export function standingTenant(tenant: string): Identity {
  return {
    tenant,
    async provision(pool) {
      const users = {
        api: { username: `${tenant}-api`, password: generatePassword() },
        instance: { username: `${tenant}-instance`, password: generatePassword() },
      };
      for (const role of ['api', 'instance'] as const) {
        const { username, password } = users[role];
        try {
          await pool.cognito.send(
            new AdminSetUserPasswordCommand({
              UserPoolId: pool.userPoolId,
              Username: username,
              Password: password,
              Permanent: true,
            }),
          );
        } catch (error) {
          if ((error as Error).name !== 'UserNotFoundException') throw error;
          await createTenantUser(pool.cognito, pool.userPoolId, { tenant, role, username, password });
        }
      }
      return users;
    },
    release: () => Promise.resolve(),
  };
}

/** What a run wrote that is keyed by something only the run knows (its PopIds, references, idempotency keys). */
export interface RunTraces {
  readonly popIds: string[];
  readonly claims: { campaign: string; reference: string }[];
  readonly idempotencyKeys: string[];
  readonly agents: string[];
}

export const emptyTraces = (): RunTraces => ({ popIds: [], claims: [], idempotencyKeys: [], agents: [] });

export interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

async function partitionKeys(table: Table, pk: string): Promise<{ PK: string; SK: string }[]> {
  const found: { PK: string; SK: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'PK, SK',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    found.push(...((page.Items ?? []) as { PK: string; SK: string }[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

/** The keys of a run's items: those it knows, and the tenant's partitions (events, webhooks, presence, catalogue). */
async function itemsOfRun(table: Table, tenant: string, traces: RunTraces): Promise<{ PK: string; SK: string }[]> {
  const known = [
    ...traces.popIds.flatMap((popId) => [
      keys.pop(tenant, popId),
      ...POP_STATUSES.map((status) => keys.eventPlace(tenant, `${popId}.${status}`)),
    ]),
    ...traces.claims.map(({ campaign, reference }) => keys.claim(tenant, campaign, reference)),
    ...traces.idempotencyKeys.map((key) => keys.idempotency(tenant, key)),
  ];
  const presence = (
    await Promise.all(traces.agents.map((agent) => partitionKeys(table, keys.agent(tenant, agent))))
  ).flat();
  // A connection whose $disconnect has not run yet: its own partition (connection, held agents, Desktop parts).
  // (A presence item's sort key is its connection's partition key: CONN#<connectionId>.)
  const connections = await Promise.all(presence.map((item) => partitionKeys(table, item.SK)));
  // The feed: its unsharded partition (written before the feed was sharded) and each shard, each with its counter.
  const feed = [undefined, ...Array.from({ length: EVENT_FEED_SHARDS }, (_, shard) => shard)];
  const tenantWide = [
    ...feed.map((shard) => keys.events(tenant, shard)),
    keys.webhooks(tenant),
    keys.catalogue(tenant),
  ];
  known.push(...feed.map((shard) => keys.eventSequence(tenant, shard)));
  const partitions = (await Promise.all(tenantWide.map((pk) => partitionKeys(table, pk)))).flat();
  return [...known, ...presence, ...connections.flat(), ...partitions];
}

/**
 * Deletes the run's items, the tenant's event feed and its counter included: each run starts the feed afresh, so the
 * canary's tenant never reads more than one run's events. Returns how many keys were deleted.
 */
export async function removeRunItems(table: Table, tenant: string, traces: RunTraces): Promise<number> {
  const items = await itemsOfRun(table, tenant, traces);
  for (const key of items) {
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: { PK: key.PK, SK: key.SK } }));
  }
  return items.length;
}
