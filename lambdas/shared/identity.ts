/**
 * The identity model shared by the stack, the local stack, the provisioning CLI and the handlers:
 * one Cognito user per integration or Scripting instance, tagged with its tenant, in exactly one role group.
 */
export const TENANT_ATTRIBUTE = 'tenant';
/** How the tenant appears in tokens and in AdminCreateUser attributes. */
export const TENANT_CLAIM = `custom:${TENANT_ATTRIBUTE}`;

export const API_CALLERS_GROUP = 'api-callers';
export const SCRIPTING_INSTANCES_GROUP = 'scripting-instances';
export const ROLE_GROUPS = [API_CALLERS_GROUP, SCRIPTING_INSTANCES_GROUP] as const;
export type RoleGroup = (typeof ROLE_GROUPS)[number];

/**
 * A group name this project creates or adds users to. The REST authorizer hands `cognito:groups` over as one
 * comma-separated string, so a name with a comma (or white space, which some authorizers separate with) could read as
 * a role: `x,api-callers`. The stack (lib/userPool.ts) and the provisioning CLI refuse such names.
 */
export function checkedGroupName(name: string): string {
  if (!/^[^,\s]{1,128}$/.test(name))
    throw new Error(`Group name "${name}" must be 1 to 128 characters without commas or white space`);
  return name;
}

/**
 * Tenants become parts of table keys and log fields: keep them to a safe, documented alphabet.
 * Lower-case letters, digits and hyphens, 2 to 63 characters, starting with a letter or digit.
 */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * The pool's password policy, the same in the deployed stack and the local stack (the provisioning CLI checks a password
 * against the pool's stated policy before creating a user). Machines, not people, hold these passwords: long ones.
 */
export const PASSWORD_POLICY = {
  minLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidityDays: 3,
} as const;
