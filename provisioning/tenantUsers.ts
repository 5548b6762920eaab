import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  API_CALLERS_GROUP,
  checkedGroupName,
  SCRIPTING_INSTANCES_GROUP,
  TENANT_CLAIM,
  TENANT_PATTERN,
  type RoleGroup,
} from '../lambdas/shared/identity';

/** How vendors name a role on the command line. */
export type Role = 'api' | 'instance';

export const ROLE_TO_GROUP: Readonly<Record<Role, RoleGroup>> = {
  api: API_CALLERS_GROUP,
  instance: SCRIPTING_INSTANCES_GROUP,
};

/** Usernames: letters, digits and . _ @ + - ; 1 to 128 characters (a subset of Cognito's own rule). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{1,128}$/;

export interface NewTenantUser {
  readonly tenant: string;
  readonly username: string;
  readonly role: Role;
  readonly password: string;
  readonly email?: string;
}

export class InvalidUserSpecError extends Error {
  override name = 'InvalidUserSpecError';
}

export function checkUserSpec(user: Pick<NewTenantUser, 'tenant' | 'username'>): void {
  if (!TENANT_PATTERN.test(user.tenant)) {
    throw new InvalidUserSpecError(
      `Invalid tenant "${user.tenant}": use 2-63 lower-case letters, digits or hyphens, starting with a letter or digit`,
    );
  }
  if (!USERNAME_PATTERN.test(user.username)) {
    throw new InvalidUserSpecError(`Invalid username "${user.username}": use 1-128 letters, digits or . _ @ + -`);
  }
}

/**
 * Create a user of a tenant in its role group with a permanent password, as a vendor provisions one.
 * If a later step fails the user is deleted again, so no half-provisioned user (without a group) is left.
 */
export async function createTenantUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: NewTenantUser,
): Promise<void> {
  checkUserSpec(user);
  const attributes = [{ Name: TENANT_CLAIM, Value: user.tenant }];
  if (user.email) {
    attributes.push({ Name: 'email', Value: user.email }, { Name: 'email_verified', Value: 'true' });
  }
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: user.username,
      UserAttributes: attributes,
      MessageAction: 'SUPPRESS',
    }),
  );
  try {
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        GroupName: checkedGroupName(ROLE_TO_GROUP[user.role]),
      }),
    );
  } catch (error) {
    await cognito
      .send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: user.username }))
      .catch(() => undefined);
    throw error;
  }
}
