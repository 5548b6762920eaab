import { ROLE_TO_GROUP } from './tenantUsers';
import type { DirectoryUser } from './userDirectory';

/** A user as `--json` prints it: stable PascalCase keys like the REST API's, dates in ISO 8601. */
export interface UserJson {
  Username: string;
  Tenant: string | null;
  Role: string | null;
  Groups: string[];
  Email: string | null;
  Status: string | null;
  Enabled: boolean;
  Created: string | null;
  LastModified: string | null;
}

export function userToJson(user: DirectoryUser): UserJson {
  return {
    Username: user.username,
    Tenant: user.tenant ?? null,
    Role: user.role ?? null,
    Groups: [...user.groups],
    Email: user.email ?? null,
    Status: user.status ?? null,
    Enabled: user.enabled,
    Created: user.created?.toISOString() ?? null,
    LastModified: user.lastModified?.toISOString() ?? null,
  };
}

/** `2024-05-01 09:30 UTC`: minutes are enough to read a list. */
export function formatDate(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return '-';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The role column: `api` or `instance`; `none` without a role group; both groups listed when in both. */
export function formatRole(user: DirectoryUser): string {
  if (user.role) return user.role;
  return user.groups.length > 1 ? user.groups.join('+') : 'none';
}

/** Left-aligned columns separated by two spaces, a header row, no trailing spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatUserTable(users: readonly DirectoryUser[]): string {
  const rows = users.map((user) => [
    user.username,
    user.tenant ?? '-',
    formatRole(user),
    user.status ?? '-',
    user.enabled ? 'yes' : 'no',
    formatDate(user.created),
  ]);
  return formatTable(['USERNAME', 'TENANT', 'ROLE', 'STATUS', 'ENABLED', 'CREATED'], rows);
}

/** A closing line for a list: how many users, and of which tenant. */
export function formatCount(count: number, tenant?: string): string {
  const users = `${count} user${count === 1 ? '' : 's'}`;
  return tenant === undefined ? users : `${users} of tenant "${tenant}"`;
}

/** One user as `Key: value` lines for `user show`. */
export function formatUserDetails(user: DirectoryUser): string {
  const role = user.role ? `${user.role} (group ${ROLE_TO_GROUP[user.role]})` : formatRole(user);
  const pairs: [string, string][] = [
    ['Username', user.username],
    ['Tenant', user.tenant ?? '-'],
    ['Role', role],
    ['Email', user.email ?? '-'],
    ['Status', user.status ?? '-'],
    ['Enabled', user.enabled ? 'yes' : 'no'],
    ['Created', formatDate(user.created)],
    ['Last modified', formatDate(user.lastModified)],
  ];
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}`).join('\n');
}
