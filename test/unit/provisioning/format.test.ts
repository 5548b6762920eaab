import {
  formatCount,
  formatDate,
  formatTable,
  formatUserDetails,
  formatUserTable,
  userToJson,
} from '../../../provisioning/format';
import type { DirectoryUser } from '../../../provisioning/userDirectory';

const created = new Date('2024-05-01T09:30:12.345Z');
const apiUser: DirectoryUser = {
  username: 'acme-crm',
  tenant: 'acme',
  role: 'api',
  groups: ['api-callers'],
  status: 'CONFIRMED',
  enabled: true,
  created,
  lastModified: created,
};
const strayUser: DirectoryUser = { username: 'orphan-with-a-long-name', groups: [], enabled: false };

describe('formatTable', () => {
  it('aligns columns on the widest cell, two spaces apart, without trailing spaces', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['long value', 'x', ''],
          ['y', 'wide cell', 'z'],
        ],
      ),
    ).toBe(['A           BB         C', 'long value  x', 'y           wide cell  z'].join('\n'));
  });

  it('prints only the header without rows', () => {
    expect(formatTable(['USERNAME', 'TENANT'], [])).toBe('USERNAME  TENANT');
  });
});

describe('formatUserTable', () => {
  it('shows username, tenant, role, status, enabled and creation minute', () => {
    expect(formatUserTable([apiUser, strayUser]).split('\n')).toEqual([
      'USERNAME                 TENANT  ROLE  STATUS     ENABLED  CREATED',
      'acme-crm                 acme    api   CONFIRMED  yes      2024-05-01 09:30 UTC',
      'orphan-with-a-long-name  -       none  -          no       -',
    ]);
  });

  it('names both groups of a user in both (a provisioning fault worth seeing)', () => {
    const both: DirectoryUser = { ...apiUser, role: undefined, groups: ['api-callers', 'scripting-instances'] };
    expect(formatUserTable([both])).toContain('api-callers+scripting-instances');
  });
});

describe('userToJson', () => {
  it('uses PascalCase keys, ISO dates and null for what is unknown', () => {
    expect(userToJson(apiUser)).toEqual({
      Username: 'acme-crm',
      Tenant: 'acme',
      Role: 'api',
      Groups: ['api-callers'],
      Email: null,
      Status: 'CONFIRMED',
      Enabled: true,
      Created: '2024-05-01T09:30:12.345Z',
      LastModified: '2024-05-01T09:30:12.345Z',
    });
    expect(userToJson(strayUser)).toMatchObject({ Tenant: null, Role: null, Created: null });
  });
});

describe('formatUserDetails and helpers', () => {
  it('aligns key/value lines and names the group of the role', () => {
    const lines = formatUserDetails(apiUser).split('\n');
    expect(lines[0]).toBe('Username:       acme-crm');
    expect(lines).toContain('Role:           api (group api-callers)');
    expect(lines).toContain('Enabled:        yes');
  });

  it('counts users, with the tenant when filtered', () => {
    expect(formatCount(1)).toBe('1 user');
    expect(formatCount(65, 'acme')).toBe('65 users of tenant "acme"');
    expect(formatDate(undefined)).toBe('-');
  });
});
