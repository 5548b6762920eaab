import * as path from 'path';
import { buildSync } from 'esbuild';
import { HANDLER_NEEDS, type HandlerName, type HandlerNeeds } from '../../lambdas/handlerNeeds';
import { actionsOf, logicalId, statementsByRole, synthStack, type PolicyStatement } from './support';

/**
 * Least privilege, proven: each function's role holds exactly the actions HANDLER_NEEDS (lambdas/handlerNeeds.ts)
 * lists for it, plus what every function needs (its log group, X-Ray) and what its event source's poller needs; and
 * every action HANDLER_NEEDS lists is one the function's own code can call (its bundle sends that command).
 */
const { stack, template } = synthStack({ environment: 'prod', wafRateLimitPer5Minutes: 1000 });
const byRole = statementsByRole(template);
const handlerNames = Object.keys(HANDLER_NEEDS) as HandlerName[];
const statementsOf = (name: HandlerName): PolicyStatement[] =>
  byRole.get(logicalId(stack.functions.byHandler[name].executionRole)) ?? [];

const EVERY_FUNCTION = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];
/** What Lambda's pollers use the function's role for: the table's stream, the queues (CDK's event sources). */
const STREAM_POLLER = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
const QUEUE_POLLER = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

/** The IAM actions a function needs by the table. */
function expectedActions(needs: HandlerNeeds): string[] {
  return [
    ...EVERY_FUNCTION,
    ...(needs.table ?? []).map((action) => `dynamodb:${action}`),
    ...(needs.cognito ?? []).map((action) => `cognito-idp:${action}`),
    ...(needs.manageConnections || needs.probeConnections ? ['execute-api:ManageConnections'] : []),
    ...(needs.popStream ? STREAM_POLLER : []),
    ...(needs.webhookQueue === 'send' ? ['sqs:SendMessage'] : []),
    ...(needs.webhookQueue === 'consume' ? QUEUE_POLLER : []),
    // The held pops' timer queue (lib/heldPops.ts), granted as the webhook queue is.
    ...(needs.holdQueue === 'send' ? ['sqs:SendMessage'] : []),
    ...(needs.holdQueue === 'consume' ? QUEUE_POLLER : []),
    // The webhook secrets' key (lib/webhookKey.ts): one action per function.
    ...(needs.webhookKey === 'seal' ? ['kms:GenerateDataKey'] : []),
    ...(needs.webhookKey === 'open' ? ['kms:Decrypt'] : []),
  ];
}

const sorted = (actions: Iterable<string>): string[] => [...new Set(actions)].sort();

test.each(handlerNames)('%s: its role holds exactly the actions HANDLER_NEEDS lists, nothing more', (name) => {
  const granted = sorted(statementsOf(name).flatMap(actionsOf));
  expect(granted).toEqual(sorted(expectedActions(HANDLER_NEEDS[name])));
});

test('no role anywhere in the stack may Scan, batch-read or use a wildcard action on the table', () => {
  const actions = [...byRole.values()].flat().flatMap(actionsOf);
  expect(actions.filter((a) => /^dynamodb:(Scan|BatchGetItem|ConditionCheckItem|DescribeTable|\*)$/.test(a))).toEqual(
    [],
  );
});

test('stream read actions only on the stream ARN, and only for the stream consumer', () => {
  for (const name of handlerNames) {
    for (const statement of statementsOf(name)) {
      const streamActions = actionsOf(statement).filter((a) => /GetRecords|GetShardIterator|DescribeStream/.test(a));
      if (streamActions.length === 0) continue;
      expect(HANDLER_NEEDS[name].popStream).toBe(true);
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.storage.table), 'StreamArn'] });
    }
  }
});

test('table actions on the table ARN; only Query also on the ByConnection index', () => {
  const tableArn = { 'Fn::GetAtt': [logicalId(stack.storage.table), 'Arn'] };
  for (const statement of [...byRole.values()].flat()) {
    const actions = actionsOf(statement);
    if (!actions.some((a) => /^dynamodb:(GetItem|Query|PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a)))
      continue;
    if (JSON.stringify(statement.Resource).includes('/index/')) {
      expect(actions).toEqual(['dynamodb:Query']);
      expect(JSON.stringify(statement.Resource)).toContain('"/index/ByConnection"');
    } else {
      expect(statement.Resource).toEqual(tableArn);
    }
  }
});

test('execute-api:ManageConnections only on POST @connections (PostToConnection) or GET (GetConnection) of this stage', () => {
  const statements = [...byRole.values()].flat().filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
  const holders = handlerNames.filter((n) => HANDLER_NEEDS[n].manageConnections || HANDLER_NEEDS[n].probeConnections);
  expect(statements.length).toBe(holders.length);
  for (const statement of statements) {
    const resource = JSON.stringify(statement.Resource);
    expect(resource).toContain(`{"Ref":"${logicalId(stack.webSocketApi.api)}"}`);
    expect(resource).toMatch(/"\/v1\/(POST|GET)\/@connections\/\*"/);
    expect(resource).not.toContain('DELETE');
  }
});

/** lib-dynamodb's and the SDK clients' commands as the IAM actions that authorise them. */
const ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  GetCommand: 'dynamodb:GetItem',
  QueryCommand: 'dynamodb:Query',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  PostToConnectionCommand: 'execute-api:ManageConnections',
  GetConnectionCommand: 'execute-api:ManageConnections',
  AdminGetUserCommand: 'cognito-idp:AdminGetUser',
  AdminInitiateAuthCommand: 'cognito-idp:AdminInitiateAuth',
  DescribeUserPoolClientCommand: 'cognito-idp:DescribeUserPoolClient',
  // Unsigned: authorised by the app client, not by the caller's role.
  InitiateAuthCommand: 'none',
  SendMessageBatchCommand: 'sqs:SendMessage',
  ChangeMessageVisibilityCommand: 'sqs:ChangeMessageVisibility',
  GenerateDataKeyCommand: 'kms:GenerateDataKey',
  DecryptCommand: 'kms:Decrypt',
};

describe("every action the table lists is one the function's own code can send", () => {
  // Each handler bundled as Lambda bundles it, but with the SDK left out: what remains is our code, tree-shaken, and
  // the commands it constructs. A store module brings all its methods, so this bounds the table from above per module.
  const root = path.resolve(__dirname, '../..');
  const bundles = buildSync({
    entryPoints: Object.fromEntries(handlerNames.map((n) => [n, path.join(root, 'lambdas', 'handlers', `${n}.ts`)])),
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    outdir: path.join(root, 'cdk.out', 'least-privilege'),
    external: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*', 'aws-jwt-verify', 'aws-jwt-verify/*'],
    logLevel: 'error',
    absWorkingDir: root,
  });
  const sentBy = new Map(
    bundles.outputFiles.map((file) => {
      // esbuild renames an import that clashes with another (PutCommand2): the digits are dropped.
      const commands = [...file.text.matchAll(/new (\w+?Command)\d*\(/g)].map((m) => m[1]!);
      return [path.basename(file.path, '.js'), commands] as const;
    }),
  );

  test.each(handlerNames)('%s', (name) => {
    const commands = sentBy.get(name) ?? [];
    const unknown = commands.filter((command) => !(command in ACTION_OF_COMMAND));
    expect({ name, unknown }).toEqual({ name, unknown: [] });
    const callable = new Set(commands.map((command) => ACTION_OF_COMMAND[command]));
    const listed = expectedActions(HANDLER_NEEDS[name]).filter(
      (a) => !EVERY_FUNCTION.includes(a) && !STREAM_POLLER.includes(a) && !QUEUE_POLLER.includes(a),
    );
    expect({ name, notCalled: listed.filter((a) => !callable.has(a)) }).toEqual({ name, notCalled: [] });
    // The other way for Cognito and @connections, whose client modules send nothing else: what the code sends is listed.
    const unlisted = [...callable].filter((a) => /^(cognito-idp|execute-api):/.test(a) && !listed.includes(a));
    expect({ name, unlisted }).toEqual({ name, unlisted: [] });
  });
});
