/** Names unique per test (and per jest worker), valid as tenants and usernames. */
import { randomBytes } from 'crypto';

let counter = 0;

/** e.g. `t-lq3k9z-1-a3f9`: lower-case letters, digits and hyphens, well under 63 characters. */
export function uniqueName(prefix = 't'): string {
  counter += 1;
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 24);
  return `${safe}-${Date.now().toString(36)}-${counter}-${randomBytes(2).toString('hex')}`;
}

export const uniqueTenant = (): string => uniqueName('tenant');
