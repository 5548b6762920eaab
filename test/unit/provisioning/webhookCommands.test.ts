/**
 * `webhooks list` and `webhooks remove` through run(argv), with the table's client scripted by aws-sdk-client-mock
 * (the local stack's table is exercised by test/e2e/provisioning.test.ts). The target is a real temp endpoints file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Io } from '../../../provisioning/commands';
import { EXIT } from '../../../provisioning/errors';
import { run } from '../../../provisioning/main';

const ddb = mockClient(DynamoDBDocumentClient);
let dir: string;
let endpoints: string;

beforeEach(() => {
  ddb.reset();
  dir = mkdtempSync(join(tmpdir(), 'provisioning-webhooks-'));
  endpoints = join(dir, 'endpoints.json');
  writeFileSync(
    endpoints,
    JSON.stringify({ TableName: 'pops', Region: 'us-east-1', DynamoDbEndpoint: 'http://127.0.0.1:1' }),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    interactive: false,
    ask: () => Promise.reject(new Error('no terminal')),
    readStdin: () => Promise.resolve(''),
    env: {},
  };
  const code = await run([...args, '--endpoints', endpoints], io);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const ITEM = {
  Tenant: 'acme',
  WebhookId: 'w-1',
  Url: 'https://hooks.acme.example/pops',
  Events: ['Opened'],
  Secret: 'whsec_c2VjcmV0',
  CreatedAt: '2026-11-30T08:00:00.000Z',
  DeadLettered: 0,
};

describe('webhooks list', () => {
  it("queries the tenant's partition and prints a table without the secret", async () => {
    ddb.on(QueryCommand).resolves({ Items: [ITEM] });

    const result = await cli(['webhooks', 'list', '--tenant', 'acme']);

    expect(result.code).toBe(EXIT.OK);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'pops',
      ExpressionAttributeValues: { ':pk': 'WEBHOOK#acme' },
    });
    expect(result.stdout).toMatch(
      /^WEBHOOK ID\s+URL\s+EVENTS\s+STATE\s+CREATED\s+LAST DELIVERY\nw-1\s+https:\/\/hooks\.acme\.example\/pops\s+Opened\s+Active/,
    );
    expect(result.stdout).toContain('1 webhook of tenant "acme"');
    expect(result.stdout).not.toContain('whsec_');
    expect(result.stderr).toContain('Target: table pops (local stack at http://127.0.0.1:1');
  });

  it('prints JSON as GET /webhooks does', async () => {
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ ...ITEM, FailingSince: '2026-11-30T09:00:00.000Z', LastError: 'HTTP 500' }] });

    const result = await cli(['webhooks', 'list', '--tenant', 'acme', '--json']);

    expect(JSON.parse(result.stdout)).toEqual([
      {
        WebhookId: 'w-1',
        Url: ITEM.Url,
        Events: ['Opened'],
        State: 'Failing',
        CreatedAt: ITEM.CreatedAt,
        DeadLettered: 0,
        LastError: 'HTTP 500',
        FailingSince: '2026-11-30T09:00:00.000Z',
      },
    ]);
  });

  it('refuses a missing --tenant as usage (2) and an invalid one as input (5), before any call', async () => {
    expect((await cli(['webhooks', 'list'])).code).toBe(EXIT.USAGE);
    expect((await cli(['webhooks', 'list', '--tenant', 'Not_A_Tenant'])).code).toBe(EXIT.INVALID_INPUT);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('webhooks remove', () => {
  it("deletes the tenant's item with a condition", async () => {
    ddb.on(DeleteCommand).resolves({});

    const result = await cli(['webhooks', 'remove', '--tenant', 'acme', '--id', 'w-1']);

    expect(result).toMatchObject({ code: EXIT.OK, stdout: 'Webhook "w-1" of tenant "acme" removed.' });
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'pops',
      Key: { PK: 'WEBHOOK#acme', SK: 'w-1' },
      ConditionExpression: 'attribute_exists(PK)',
    });
  });

  it('answers not found (3) when the tenant has no such webhook', async () => {
    ddb
      .on(DeleteCommand)
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));

    const result = await cli(['webhooks', 'remove', '--tenant', 'acme', '--id', 'w-2', '--json']);

    expect(result.code).toBe(EXIT.NOT_FOUND);
    expect(result.stderr).toContain('Error: Webhook "w-2" of tenant "acme" was not found.');
  });

  it('refuses a missing --id and two targets as usage (2)', async () => {
    expect((await cli(['webhooks', 'remove', '--tenant', 'acme'])).code).toBe(EXIT.USAGE);
    expect((await cli(['webhooks', 'remove', '--tenant', 'acme', '--id', 'w-1', '--table', 'other'])).code).toBe(
      EXIT.USAGE,
    );
    expect(ddb.calls()).toHaveLength(0);
  });
});
