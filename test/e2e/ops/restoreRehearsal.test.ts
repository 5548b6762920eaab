/**
 * The restore, rehearsed as far as the emulators allow (ops/README.md, "Rehearsing a restore"): a stack with data,
 * its table copied into a new one (what an AWS restore makes: same keys, index and items, no stream), the stack
 * started again on the copy (as `adoptTableName` does in AWS), and `verify` passes against it; what the tenant had
 * (a webhook) is served from the copy.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TABLE_NAME } from '../../../local/stack';
import { copyTable } from '../../../ops/restore/copyTable';
import { EXIT, verify } from '../../../ops/verify/main';
import { RemotePopClient } from '../../../sdk/src/index';
import { createTenantUser } from '../../../provisioning/tenantUsers';
import { generatePassword } from '../../../provisioning/password';
import { cognitoClient } from '../../../local/provision';
import { startOwnStack, type OwnStack } from '../support/ownStack';
import { uniqueName } from '../support/names';
import { recordSecret } from '../support/secrets';

const RESTORED = 'remote-pop-restored';
let stack: OwnStack | undefined;
afterAll(async () => stack?.stop());

test('a copy of the table serves the stack: its data is there and verify passes', async () => {
  const dataDir = mkdtempSync(path.join(process.env.E2E_LOCAL_DIR ?? os.tmpdir(), 'restore-data-'));
  stack = await startOwnStack({ dataDir });
  // GIVEN a tenant with a webhook in the original table
  const tenant = uniqueName('restore');
  const user = { username: `${tenant}-api`, password: recordSecret('password', generatePassword()) };
  const cognito = cognitoClient(stack.endpoints.CognitoEndpoint, stack.endpoints.Region);
  await createTenantUser(cognito, stack.endpoints.UserPoolId, { tenant, role: 'api', ...user });
  cognito.destroy();
  const caller = (restApiUrl: string) => new RemotePopClient({ baseUrl: restApiUrl, ...user });
  const webhook = await caller(stack.endpoints.RestApiUrl).createWebhook({ Url: 'http://127.0.0.1:9/restored' });

  // WHEN the table is copied into a new one and the stack restarts on the copy
  const { DynamoDbEndpoint, Region } = stack.endpoints;
  const copied = await copyTable({
    dynamoDbEndpoint: DynamoDbEndpoint,
    region: Region,
    from: TABLE_NAME,
    to: RESTORED,
  });
  expect(copied).toBeGreaterThan(0);
  await stack.stop();
  stack = await startOwnStack({ dataDir, tableName: RESTORED });

  // THEN the stack names the copy, serves what it holds, and passes verify
  expect(stack.endpoints.TableName).toBe(RESTORED);
  const webhooks = await caller(stack.endpoints.RestApiUrl).listWebhooks();
  expect(webhooks.map((w) => w.WebhookId)).toEqual([webhook.WebhookId]);
  const outputs = path.join(stack.localDir, 'endpoints.json');
  const { exitCode, report } = await verify({ outputs, print: () => undefined });
  expect({ exitCode, steps: report?.steps.filter((s) => s.outcome !== 'passed') }).toEqual({
    exitCode: EXIT.OK,
    steps: [],
  });
}, 120_000);
