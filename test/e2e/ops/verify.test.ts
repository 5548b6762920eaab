/**
 * `npm run verify` against the e2e local stack: it passes and leaves nothing of its temporary tenant behind (no user,
 * connection, pop, webhook or any other item, read through the emulators); with the synthetic instance stopped it fails
 * at the pop and still cleans up; usage and an unreachable stack have their own exit codes.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../lambdas/store/tableSchema';
import { dynamoDbClient } from '../../../local/provision';
import { EXIT, verify } from '../../../ops/verify/main';
import type { RoundTripReport } from '../../../ops/verify/roundTrip';
import { AGENT } from '../../../ops/verify/steps';
import { eventually } from '../support/instanceHarness';
import { readEndpoints } from '../support/endpoints';
import { cognito } from '../support/users';

const ROOT = path.join(__dirname, '../../..');
const endpointsFile = () => process.env.E2E_ENDPOINTS_FILE!;

/** Every table item that names the tenant anywhere (a key or an attribute), read with a Scan of the emulator. */
async function itemsOf(tenant: string): Promise<Record<string, unknown>[]> {
  const { DynamoDbEndpoint, Region, TableName } = readEndpoints();
  const db = DynamoDBDocumentClient.from(dynamoDbClient(DynamoDbEndpoint, Region));
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName, ExclusiveStartKey: start, ConsistentRead: true }));
    found.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(tenant)));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

/** How many connections hold the synthetic instance's agent. */
async function presenceOf(tenant: string): Promise<number> {
  const { DynamoDbEndpoint, Region, TableName } = readEndpoints();
  const db = DynamoDBDocumentClient.from(dynamoDbClient(DynamoDbEndpoint, Region));
  const { Items } = await db.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.agent(tenant, AGENT) },
      ConsistentRead: true,
    }),
  );
  return Items?.length ?? 0;
}

async function usersOf(tenant: string): Promise<string[]> {
  const { Users } = await cognito().send(new ListUsersCommand({ UserPoolId: readEndpoints().UserPoolId }));
  return (Users ?? [])
    .filter((user) => user.Attributes?.some((a) => a.Name === 'custom:tenant' && a.Value === tenant))
    .map((user) => user.Username!);
}

async function expectNothingLeft(report: RoundTripReport): Promise<void> {
  expect(await usersOf(report.tenant)).toEqual([]);
  expect(await itemsOf(report.tenant)).toEqual([]);
}

describe('npm run verify', () => {
  test('passes against the local stack, every step, and leaves nothing of its tenant behind', async () => {
    const lines: string[] = [];
    const { exitCode, report } = await verify({ outputs: endpointsFile(), print: (line) => lines.push(line) });
    expect({ exitCode, lines }).toEqual({ exitCode: EXIT.OK, lines: expect.any(Array) });
    const steps = report!.steps.map((step) => `${step.name} ${step.outcome}`);
    expect(steps).toEqual(
      ['provision', 'webhook', 'connect', 'pop', 'opened', 'events', 'delivery', 'recall', 'wrong password']
        .map((name) => `${name} passed`)
        .concat('clean up passed'),
    );
    // Each step printed with its time.
    for (const step of report!.steps) expect(lines.some((line) => line.includes(`${step.ms} ms`))).toBe(true);
    await expectNothingLeft(report!);
  }, 60_000);

  test('with the instance stopped: fails at the pop (AgentNotOnDesktop), cleans up all the same', async () => {
    const { exitCode, report } = await verify({
      outputs: endpointsFile(),
      print: () => undefined,
      stepTimeoutMs: 4000,
      // Its Desktop list handled, then stopped and its $disconnect handled: the stack knows the agent is on no Desktop.
      afterConnect: async (run) => {
        await eventually('the Desktop list to be handled', async () => (await presenceOf(run.identity.tenant)) > 0);
        await run.instance?.stop();
        await eventually('the connection to be gone', async () => (await presenceOf(run.identity.tenant)) === 0);
      },
    });
    expect(exitCode).toBe(EXIT.FAILED);
    expect(report!.failedStep).toBe('pop');
    expect(report!.steps.find((step) => step.name === 'pop')!.detail).toContain('AgentNotOnDesktop');
    expect(report!.steps.at(-1)).toMatchObject({ name: 'clean up', outcome: 'passed' });
    await expectNothingLeft(report!);
  }, 60_000);

  test('the CLI reads $LOCAL_DIR/endpoints.json without an option and exits 0', () => {
    const run = spawnSync('npm', ['run', '-s', 'verify'], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_DIR: process.env.E2E_LOCAL_DIR },
      encoding: 'utf8',
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('Verified: every step passed');
  }, 60_000);

  test('exit 2 for a missing outputs file, 3 for a stack that does not answer', async () => {
    expect((await verify({ outputs: '/nonexistent/outputs.json', print: () => undefined })).exitCode).toBe(EXIT.USAGE);
    const gone = path.join(process.env.E2E_LOCAL_DIR!, 'unreachable-outputs.json');
    const closed = 'http://127.0.0.1:9';
    writeFileSync(
      gone,
      JSON.stringify({
        ...readEndpoints(),
        RestApiUrl: `${closed}/v1`,
        WebSocketUrl: 'ws://127.0.0.1:9/v1',
        CognitoEndpoint: closed,
        DynamoDbEndpoint: closed,
      }),
    );
    const { exitCode, report } = await verify({ outputs: gone, print: () => undefined });
    expect({ exitCode, failedStep: report?.failedStep }).toEqual({
      exitCode: EXIT.UNREACHABLE,
      failedStep: 'provision',
    });
  }, 60_000);
});
