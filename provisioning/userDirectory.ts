import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ROLE_GROUPS, TENANT_CLAIM } from '../lambdas/shared/identity';
import { ROLE_TO_GROUP, type Role } from './tenantUsers';
import { COGNITO_DEFAULT_POLICY, type PasswordPolicy } from './password';

/** A user of the pool as the CLI shows it. */
export interface DirectoryUser {
  readonly username: string;
  readonly tenant?: string;
  readonly email?: string;
  /** The role named by its group; undefined when the user is in no role group or in both. */
  readonly role?: Role;
  /** The role groups the user is in (normally exactly one). */
  readonly groups: readonly string[];
  readonly status?: string;
  readonly enabled: boolean;
  readonly created?: Date;
  readonly lastModified?: Date;
}

/** Cognito's largest page for ListUsers and ListUsersInGroup. */
export const PAGE_LIMIT = 60;

const GROUP_TO_ROLE = new Map<string, Role>(
  (Object.entries(ROLE_TO_GROUP) as [Role, string][]).map(([role, group]) => [group, role]),
);

function attribute(attributes: readonly AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((item) => item.Name === name)?.Value;
}

function roleOf(groups: readonly string[]): Role | undefined {
  const roles = groups.map((group) => GROUP_TO_ROLE.get(group)).filter((role): role is Role => role !== undefined);
  return roles.length === 1 ? roles[0] : undefined;
}

function toDirectoryUser(
  user: {
    Username?: string;
    Enabled?: boolean;
    UserStatus?: string;
    UserCreateDate?: Date;
    UserLastModifiedDate?: Date;
  },
  attributes: readonly AttributeType[] | undefined,
  groups: readonly string[],
): DirectoryUser {
  return {
    username: user.Username ?? '',
    tenant: attribute(attributes, TENANT_CLAIM),
    email: attribute(attributes, 'email'),
    role: roleOf(groups),
    groups: [...groups].sort(),
    status: user.UserStatus,
    enabled: user.Enabled ?? false,
    created: user.UserCreateDate,
    lastModified: user.UserLastModifiedDate,
  };
}

/** Follow a Cognito pagination token until the last page. */
async function collectPages<T>(
  fetchPage: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    all.push(...(page.items ?? []));
    token = page.next || undefined;
  } while (token);
  return all;
}

/**
 * The pool's users for a vendor: reads and the admin actions on one user, over an injected Cognito client.
 * Creation is `createTenantUser` (provisioning/tenantUsers.ts), shared with the local stack's seeding.
 */
export class UserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * All users, or those of one tenant, sorted by tenant then username, each with its role.
   * ListUsers cannot filter on custom attributes, so the tenant is filtered here, after reading every page.
   */
  async list(filter: { tenant?: string } = {}): Promise<DirectoryUser[]> {
    const [users, ...memberships] = await Promise.all([
      collectPages<UserType>(async (token) => {
        const page = await this.cognito.send(
          new ListUsersCommand({ UserPoolId: this.userPoolId, Limit: PAGE_LIMIT, PaginationToken: token }),
        );
        return { items: page.Users, next: page.PaginationToken };
      }),
      ...ROLE_GROUPS.map((group) => this.members(group)),
    ]);
    const groupsByUser = new Map<string, string[]>();
    ROLE_GROUPS.forEach((group, index) => {
      for (const username of memberships[index]!) {
        groupsByUser.set(username, [...(groupsByUser.get(username) ?? []), group]);
      }
    });
    return users
      .map((user) => toDirectoryUser(user, user.Attributes, groupsByUser.get(user.Username ?? '') ?? []))
      .filter((user) => filter.tenant === undefined || user.tenant === filter.tenant)
      .sort((a, b) => (a.tenant ?? '').localeCompare(b.tenant ?? '') || a.username.localeCompare(b.username));
  }

  private async members(group: string): Promise<string[]> {
    const users = await collectPages<UserType>(async (token) => {
      const page = await this.cognito.send(
        new ListUsersInGroupCommand({
          UserPoolId: this.userPoolId,
          GroupName: group,
          Limit: PAGE_LIMIT,
          NextToken: token,
        }),
      );
      return { items: page.Users, next: page.NextToken };
    });
    return users.map((user) => user.Username ?? '');
  }

  /** One user with its groups; throws UserNotFoundException when absent. */
  async show(username: string): Promise<DirectoryUser> {
    const user = await this.cognito.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
    const groups = await collectPages<{ GroupName?: string }>(async (token) => {
      const page = await this.cognito.send(
        new AdminListGroupsForUserCommand({
          UserPoolId: this.userPoolId,
          Username: username,
          Limit: PAGE_LIMIT,
          NextToken: token,
        }),
      );
      return { items: page.Groups, next: page.NextToken };
    });
    return toDirectoryUser(
      user,
      user.UserAttributes,
      groups.map((group) => group.GroupName ?? '').filter((name) => (ROLE_GROUPS as readonly string[]).includes(name)),
    );
  }

  async disable(username: string): Promise<void> {
    await this.cognito.send(new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: username }));
  }

  async enable(username: string): Promise<void> {
    await this.cognito.send(new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: username }));
  }

  async delete(username: string): Promise<void> {
    await this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: username }));
  }

  /** Set a permanent password (the user is CONFIRMED and need not change it). */
  async setPassword(username: string, password: string): Promise<void> {
    await this.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: this.userPoolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
  }

  /**
   * The pool's password policy, to check a given password before Cognito does (the local emulator checks none).
   * Cognito's default policy when the pool states none (an emulator's pool created without Policies);
   * undefined when the caller may not describe the pool: Cognito still enforces its policy then.
   */
  async passwordPolicy(): Promise<PasswordPolicy | undefined> {
    try {
      const answer = await this.cognito.send(new DescribeUserPoolCommand({ UserPoolId: this.userPoolId }));
      return answer.UserPool?.Policies?.PasswordPolicy ?? COGNITO_DEFAULT_POLICY;
    } catch (error) {
      if ((error as { name?: string }).name === 'AccessDeniedException') return undefined;
      throw error;
    }
  }
}
