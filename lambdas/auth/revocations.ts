/**
 * Disabled means out at once: disabling or deleting a user (the provisioning CLI, provisioning/revocation.ts) writes a
 * revocation item, and every token the user was issued before it is refused, though its signature and expiry are still
 * good (Cognito cannot revoke an IdToken, and API Gateway's Cognito authorizer only checks the token itself).
 * Tokens issued after it pass, so a user enabled again signs in as before. The item expires (TTL) once no token
 * issued before it can still be valid: the longest IdToken lifetime Cognito allows is one day.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { refuse, type Refused } from '../shared/outcome';
import { claimsOf } from './callerIdentity';

/** Cognito's longest IdToken lifetime (lib/stackSettings.ts idTokenValidityMinutes: at most 1,440), plus a margin. */
const REVOCATION_LIFETIME_SECONDS = 24 * 3600 + 300;

/** Usernames are case-insensitive in the pool (lib/userPool.ts): one item per user whatever the case typed. */
export const revocationKey = (username: string) => ({ PK: `REVOKED#${username.toLowerCase()}`, SK: 'REVOKED' });

export interface Revocations {
  /** When the user's tokens were revoked (epoch ms), or undefined. */
  revokedAt(username: string): Promise<number | undefined>;
}

export function tableRevocations(db: DynamoDBDocumentClient, tableName: string): Revocations {
  return {
    async revokedAt(username) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: revocationKey(username) }));
      return typeof Item?.RevokedAt === 'number' ? Item.RevokedAt : undefined;
    },
  };
}

/** Revoke every token the user holds now. */
export async function revokeTokens(
  db: DynamoDBDocumentClient,
  tableName: string,
  username: string,
  now: number = Date.now(),
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...revocationKey(username),
        Type: 'Revocation',
        RevokedAt: now,
        ExpiresAt: Math.ceil(now / 1000) + REVOCATION_LIFETIME_SECONDS,
      },
    }),
  );
}

/**
 * A token issued (`iat`, seconds) at or before the revocation (ms) is refused; `iat` has whole seconds, so a token of
 * the revocation's own second is refused too (the user was being disabled then).
 */
export const issuedBeforeRevocation = (issuedAtMs: number, revokedAtMs: number): boolean => issuedAtMs <= revokedAtMs;

/**
 * `iat` as the REST Cognito authorizer hands it over (`Fri Jul 29 18:52:53 UTC 2016`), or as epoch seconds (the REST
 * Lambda authorizer's context, lambdas/auth/restAuthorizer.ts).
 */
export function issuedAtOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): number | undefined {
  const iat = claimsOf(event).iat;
  if (typeof iat === 'number') return iat * 1000;
  if (typeof iat !== 'string' || iat === '') return undefined;
  const parsed = /^\d+$/.test(iat) ? Number(iat) * 1000 : Date.parse(iat);
  return Number.isNaN(parsed) ? undefined : parsed;
}

const revokedRefusal = (): Refused =>
  refuse('Unauthorized', 'This token was revoked (the user was disabled or deleted); sign in again with GET /auth.');

/** Unauthorized when the caller's token was issued before its user's revocation; undefined when it may go on. */
export async function refusedIfRevoked(
  revocations: Revocations | undefined,
  username: string,
  issuedAtMs: number | undefined,
): Promise<Refused | undefined> {
  if (!revocations) return undefined;
  const revokedAt = await revocations.revokedAt(username);
  if (revokedAt === undefined) return undefined;
  // A token without iat cannot show it came after the revocation.
  return issuedAtMs === undefined || issuedBeforeRevocation(issuedAtMs, revokedAt) ? revokedRefusal() : undefined;
}
