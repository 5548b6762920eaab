/** Where the e2e local stack is: set by globalSetup; fails loudly when a test runs without it. */
import { readFileSync } from 'fs';
import type { LocalEndpoints } from '../../../local/stack';

export type { LocalEndpoints };

let cached: LocalEndpoints | undefined;

export function readEndpoints(): LocalEndpoints {
  if (cached) return cached;
  const json =
    process.env.E2E_ENDPOINTS ??
    (process.env.E2E_ENDPOINTS_FILE ? readFileSync(process.env.E2E_ENDPOINTS_FILE, 'utf8') : undefined);
  if (!json) {
    throw new Error('No e2e endpoints: run the e2e project through jest (globalSetup starts the local stack)');
  }
  cached = JSON.parse(json) as LocalEndpoints;
  return cached;
}

/** Base URL of the gateway's test hooks (`/__local`), enabled only in the e2e stack. */
export function testHooksUrl(): string {
  const url = process.env.E2E_TEST_HOOKS_URL;
  if (!url) throw new Error('E2E_TEST_HOOKS_URL is not set: the e2e globalSetup did not run');
  return url;
}
