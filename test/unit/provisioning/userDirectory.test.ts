/**
 * Pagination over Cognito's tokens. cognito-local answers ListUsers and ListUsersInGroup in one page whatever the
 * Limit, so the token loop is checked here against scripted pages (aws-sdk-client-mock); the e2e suite checks the
 * whole CLI against the emulator.
 */
import {
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { PAGE_LIMIT, UserDirectory } from '../../../provisioning/userDirectory';

const POOL = 'eu-west-1_abc';

function user(username: string, tenant: string): UserType {
  return {
    Username: username,
    Enabled: true,
    UserStatus: 'CONFIRMED',
    Attributes: [{ Name: 'custom:tenant', Value: tenant }],
    UserCreateDate: new Date('2024-01-01T00:00:00Z'),
  };
}

describe('UserDirectory.list', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  afterAll(() => cognito.restore());

  it('follows PaginationToken and NextToken to the last page, filters the tenant and joins roles', async () => {
    // GIVEN three pages of users and two pages of api-callers
    cognito
      .on(ListUsersCommand, { PaginationToken: undefined })
      .resolves({ Users: [user('b-1', 'beta'), user('a-1', 'acme')], PaginationToken: 'p2' })
      .on(ListUsersCommand, { PaginationToken: 'p2' })
      .resolves({ Users: [user('a-2', 'acme')], PaginationToken: 'p3' })
      .on(ListUsersCommand, { PaginationToken: 'p3' })
      .resolves({ Users: [user('a-0', 'acme')] })
      .on(ListUsersInGroupCommand, { GroupName: 'api-callers', NextToken: undefined })
      .resolves({ Users: [user('a-1', 'acme')], NextToken: 'g2' })
      .on(ListUsersInGroupCommand, { GroupName: 'api-callers', NextToken: 'g2' })
      .resolves({ Users: [user('a-2', 'acme')] })
      .on(ListUsersInGroupCommand, { GroupName: 'scripting-instances' })
      .resolves({ Users: [user('a-0', 'acme')] });

    // WHEN
    const users = await new UserDirectory(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), POOL).list({
      tenant: 'acme',
    });

    // THEN every page was read with the largest Limit, and only acme's users come back, sorted, with roles
    expect(users.map((found) => [found.username, found.role])).toEqual([
      ['a-0', 'instance'],
      ['a-1', 'api'],
      ['a-2', 'api'],
    ]);
    const listCalls = cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input);
    expect(listCalls).toEqual([
      { UserPoolId: POOL, Limit: PAGE_LIMIT, PaginationToken: undefined },
      { UserPoolId: POOL, Limit: PAGE_LIMIT, PaginationToken: 'p2' },
      { UserPoolId: POOL, Limit: PAGE_LIMIT, PaginationToken: 'p3' },
    ]);
    const groupCalls = cognito.commandCalls(ListUsersInGroupCommand).map((call) => call.args[0].input);
    expect(groupCalls).toHaveLength(3);
    expect(groupCalls).toEqual(
      expect.arrayContaining([
        { UserPoolId: POOL, GroupName: 'api-callers', Limit: PAGE_LIMIT, NextToken: undefined },
        { UserPoolId: POOL, GroupName: 'api-callers', Limit: PAGE_LIMIT, NextToken: 'g2' },
        { UserPoolId: POOL, GroupName: 'scripting-instances', Limit: PAGE_LIMIT, NextToken: undefined },
      ]),
    );
    expect(PAGE_LIMIT).toBe(60);
  });
});
