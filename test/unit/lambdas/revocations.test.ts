import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  issuedAtOf,
  refusedIfRevoked,
  revocationKey,
  revokeTokens,
  tableRevocations,
} from '../../../lambdas/auth/revocations';
import { startTestTable, type TestTable } from '../support/dynamoTable';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

const withIat = (iat: unknown) =>
  ({ requestContext: { authorizer: { claims: { iat } } } }) as unknown as Pick<APIGatewayProxyEvent, 'requestContext'>;

describe('revoked tokens (lambdas/auth/revocations.ts)', () => {
  it('reads iat as the REST Cognito authorizer writes it, and as epoch seconds', () => {
    expect(issuedAtOf(withIat('Fri Jul 29 18:52:53 UTC 2016'))).toBe(Date.UTC(2016, 6, 29, 18, 52, 53));
    expect(issuedAtOf(withIat('1469818373'))).toBe(1469818373000);
    expect(issuedAtOf(withIat(1469818373))).toBe(1469818373000);
    expect(issuedAtOf(withIat('not a date'))).toBeUndefined();
    expect(issuedAtOf(withIat(undefined))).toBeUndefined();
  });

  it('refuses a token issued before (or in the second of) the revocation, and lets a later one through', async () => {
    // GIVEN a user revoked at t (ms)
    const t = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    await revokeTokens(table.db, table.tableName, 'Alice', t);
    const revocations = tableRevocations(table.db, table.tableName);
    // THEN tokens issued before it or in its second are refused with Unauthorized, one issued later is not
    const before = await refusedIfRevoked(revocations, 'alice', Date.UTC(2026, 0, 1, 11, 59, 0));
    expect(before).toMatchObject({ kind: 'refused', code: 'Unauthorized' });
    expect(await refusedIfRevoked(revocations, 'ALICE', Date.UTC(2026, 0, 1, 12, 0, 0))).toBeDefined();
    expect(await refusedIfRevoked(revocations, 'alice', Date.UTC(2026, 0, 1, 12, 0, 1))).toBeUndefined();
    // A token that cannot say when it was issued is refused too.
    expect(await refusedIfRevoked(revocations, 'alice', undefined)).toBeDefined();
  });

  it('lets every token of a user never revoked through, and checks nothing without a store', async () => {
    const revocations = tableRevocations(table.db, table.tableName);
    expect(await refusedIfRevoked(revocations, 'bob', Date.now())).toBeUndefined();
    expect(await refusedIfRevoked(undefined, 'alice', 0)).toBeUndefined();
  });

  it('one item per user whatever the case typed, expiring after the longest IdToken lifetime', async () => {
    expect(revocationKey('Carol')).toEqual(revocationKey('carol'));
    const now = Date.now();
    await revokeTokens(table.db, table.tableName, 'Carol', now);
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: revocationKey('carol') }));
    expect(Item).toMatchObject({ Type: 'Revocation', RevokedAt: now });
    expect(Item!.ExpiresAt).toBeGreaterThan(now / 1000 + 24 * 3600);
  });
});
