/**
 * `npm run restore:local -- --to NAME`: the local stand-in for restoring the table (ops/README.md, "Rehearsing a
 * restore"). AWS restores a backup or a point in time into a NEW table with the same keys, indexes and items, and no
 * stream or TTL; this does the same on the local DynamoDB emulator: it creates NAME with the stack's keys and index
 * (local/provision.ts createTable) and copies every item of the local stack's table into it. Then
 * `LOCAL_TABLE_NAME=NAME npm start` serves from it, as `-c adoptTableName=NAME` does in AWS, and `npm run verify` checks.
 */
import '../../local/sdkQuiet';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBDocumentClient, ScanCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Command, CommanderError } from 'commander';
import { createTable, dynamoDbClient } from '../../local/provision';

export interface CopyTableOptions {
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly from: string;
  readonly to: string;
}

/** DynamoDB's most items per BatchWriteItem. */
const BATCH = 25;

async function writeAll(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    let requests: Record<string, unknown>[] | undefined = items
      .slice(i, i + BATCH)
      .map((item) => ({ PutRequest: { Item: item } }));
    // What the emulator leaves unprocessed is written again, as a client must.
    while (requests && requests.length > 0) {
      const answer = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests as never } }));
      requests = answer.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
}

/** Creates `to` (keys and index, no stream, no TTL: what a restore makes) and copies every item of `from`. */
export async function copyTable(options: CopyTableOptions): Promise<number> {
  const client = dynamoDbClient(options.dynamoDbEndpoint, options.region);
  const db = DynamoDBDocumentClient.from(client);
  try {
    await createTable(client, options.to);
    let copied = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({ TableName: options.from, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      await writeAll(db, options.to, page.Items ?? []);
      copied += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return copied;
  } finally {
    db.destroy();
  }
}

function parse(argv: readonly string[]): { to: string; from?: string } | number {
  const program = new Command()
    .name('npm run restore:local --')
    .description("Copy the local stack's table into a new table, as AWS restores a backup (ops/README.md).")
    .requiredOption('--to <table>', 'the new table (must not exist yet)')
    .option('--from <table>', "the table to copy (default: the local stack's TableName)")
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
  }
  return program.opts<{ to: string; from?: string }>();
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'number') return options;
  const file = resolve(process.env.LOCAL_DIR || '.local', 'endpoints.json');
  const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  if (!endpoints.DynamoDbEndpoint) {
    process.stderr.write(`${file} is not a local stack's: restore a deployed table with AWS (docs/deploy.md).\n`);
    return 2;
  }
  const from = options.from ?? endpoints.TableName!;
  const copied = await copyTable({
    dynamoDbEndpoint: endpoints.DynamoDbEndpoint,
    region: endpoints.Region!,
    from,
    to: options.to,
  });
  process.stdout.write(`Copied ${copied} items from ${from} into the new table ${options.to}.\n`);
  process.stdout.write(`Serve from it: LOCAL_TABLE_NAME=${options.to} npm start (then npm run verify)\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`restore:local failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
