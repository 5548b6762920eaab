/**
 * docs/deploy.md "Rotating a caller's password without downtime", run as written (its three provisioning commands,
 * read from the page) against the e2e local stack: while both api callers exist both sign in as the same tenant;
 * after `user disable` the old one is refused and the new one still works; `user delete` removes the old one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../../provisioning/main';
import type { Io } from '../../../provisioning/commands';
import { RefusedError, RemotePopClient } from '../../../sdk/src/index';
import { readEndpoints } from '../support/endpoints';
import { uniqueName } from '../support/names';
import { recordSecret } from '../support/secrets';

const DEPLOY_MD = readFileSync(path.join(__dirname, '../../../docs/deploy.md'), 'utf8');

/** The shell block of the rotation section, its commands as argument lists for the provisioning CLI. */
function rotationCommands(tenant: string): string[][] {
  const section = DEPLOY_MD.split(/^## /m).find((part) => part.startsWith("Rotating a caller's password"))!;
  const block = /```bash\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .trim()
    .split('\n')
    .map((line) =>
      line
        .replace(/^npm run provision -- /, '')
        .replace(/\bacme\b/g, tenant)
        .replace('cdk-outputs.json', process.env.E2E_ENDPOINTS_FILE!)
        .split(/\s+/),
    );
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout: string[] = [];
  const io: Io = {
    out: (line) => stdout.push(line),
    err: () => undefined,
    interactive: false,
    ask: () => Promise.reject(new Error('no terminal')),
    readStdin: () => Promise.resolve(''),
    env: process.env,
  };
  return { code: await run(args, io), stdout: stdout.join('\n') };
}

const passwordOf = (stdout: string): string => recordSecret('password', /^Password: (.+)$/m.exec(stdout)![1]!);
const caller = (username: string, password: string) =>
  new RemotePopClient({ baseUrl: readEndpoints().RestApiUrl, username, password, retry: { deadlineMs: 5000 } });

test("rotating a caller's password: a second api caller, then the first disabled and deleted", async () => {
  const tenant = uniqueName('rotate');
  const endpoints = ['--endpoints', process.env.E2E_ENDPOINTS_FILE!];
  // GIVEN the caller's current user, as docs/deploy.md "After deploy" creates it
  const first = await cli([
    'user',
    'create',
    '--tenant',
    tenant,
    '--username',
    `${tenant}-crm`,
    '--role',
    'api',
    ...endpoints,
  ]);
  const oldCaller = caller(`${tenant}-crm`, passwordOf(first.stdout));
  const webhook = await oldCaller.createWebhook({ Url: 'http://127.0.0.1:9/rotation' });
  const [create, disable, remove] = rotationCommands(tenant);
  expect(create!.slice(0, 2)).toEqual(['user', 'create']);

  // WHEN the second caller is created: both sign in, as the same tenant
  const second = await cli(create!);
  expect(second.code).toBe(0);
  const newCaller = caller(`${tenant}-crm-2`, passwordOf(second.stdout));
  expect((await newCaller.listWebhooks()).map((w) => w.WebhookId)).toEqual([webhook.WebhookId]);
  expect((await oldCaller.listWebhooks()).map((w) => w.WebhookId)).toEqual([webhook.WebhookId]);

  // WHEN the first is disabled: a new sign-in with it is refused, the second goes on
  expect((await cli(disable!)).code).toBe(0);
  const refused = await caller(`${tenant}-crm`, 'x'.repeat(20))
    .listWebhooks()
    .catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(RefusedError);
  const disabledSignIn = await caller(`${tenant}-crm`, passwordOf(first.stdout))
    .listWebhooks()
    .catch((error: unknown) => error);
  expect(disabledSignIn).toMatchObject({ status: 401 });
  expect(await newCaller.listWebhooks()).toHaveLength(1);

  // WHEN it is deleted: it is gone
  expect((await cli(remove!)).code).toBe(0);
  expect((await cli(['user', 'show', `${tenant}-crm`, ...endpoints])).code).toBe(3);
  await newCaller.deleteWebhook(webhook.WebhookId);
}, 60_000);
