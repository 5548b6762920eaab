import { RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName } from '../lambdas/apiRoutes';
import { METRICS_NAMESPACE_ENV } from '../lambdas/shared/metricNames';
import { ENV } from '../lambdas/shared/settings';
import { memoryOf } from './functionMemory';
import { RemotePopFunction } from './remotePopFunction';

/** How cdk-nag prints the resource of `stage.grantManagementApiAccess` (tokens as `<AWS::...>`, `<LogicalId>`). */
function manageConnectionsFinding(stage: apigwv2.WebSocketStage): string {
  const stack = Stack.of(stage);
  const part = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const apiLogicalId = stack.getLogicalId(stage.api.node.defaultChild as CfnElement);
  return (
    `arn:<AWS::Partition>:execute-api:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:` +
    `<${apiLogicalId}>/${stage.stageName}/*/@connections/*`
  );
}

/**
 * The table's stream into the event feed's writer, filtered by Lambda to pop items (SK = POP) so it is not invoked for
 * connections, claims or its own event items. Retried until the record expires (24 h), failures reported per record,
 * so a failing event blocks only its shard and is never skipped (lambdas/events/streamHandler.ts).
 */
function subscribeToPopChanges(fn: RemotePopFunction, table: dynamodb.ITable): void {
  fn.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      retryAttempts: -1,
      reportBatchItemFailures: true,
      filters: [lambda.FilterCriteria.filter({ dynamodb: { Keys: { SK: { S: lambda.FilterRule.isEqual('POP') } } } })],
    }),
  );
}

export interface FunctionsProps {
  readonly table: dynamodb.ITable;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly claimWindowSeconds: number;
  readonly popRetentionDays: number;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default - none reserved */
  readonly reservedConcurrency?: number;
  /** CloudWatch namespace of the functions' EMF metrics (lambdas/shared/metrics.ts). */
  readonly metricsNamespace: string;
}

/**
 * One function per handler in lambdas/apiRoutes.ts, each granted exactly what HANDLER_NEEDS lists. The management API
 * grant waits for the WebSocket stage: call `grantManageConnections(stage)` once it exists.
 */
export class Functions extends Construct {
  readonly byHandler: Readonly<Record<HandlerName, RemotePopFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { table, userPool, userPoolClient } = props;
    // `Resource::<TableLogicalId.Arn>/index/*`: the table grants cover the table's indexes (the ByConnection query).
    const tableLogicalId = Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);

    const byHandler = {} as Record<HandlerName, RemotePopFunction>;
    for (const [handlerName, needs] of Object.entries(HANDLER_NEEDS) as [
      HandlerName,
      (typeof HANDLER_NEEDS)[HandlerName],
    ][]) {
      const fn = new RemotePopFunction(this, handlerName, {
        handlerName,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        reservedConcurrency: props.reservedConcurrency,
        memorySize: memoryOf(handlerName),
      });
      fn.addEnvironment(METRICS_NAMESPACE_ENV, props.metricsNamespace);
      if (needs.table) {
        if (needs.table === 'read') table.grantReadData(fn);
        else table.grantReadWriteData(fn);
        fn.addEnvironment(ENV.tableName, table.tableName);
        Validations.of(fn.executionRole).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
          reason:
            "The table grant covers this table's own indexes (the ByConnection GSI is queried to find what a " +
            'connection owns); it names no other table.',
        });
      }
      if (needs.userPool) {
        fn.addEnvironment(ENV.userPoolId, userPool.userPoolId);
        fn.addEnvironment(ENV.userPoolClientId, userPoolClient.userPoolClientId);
      }
      if (needs.adminGetUser) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['cognito-idp:AdminGetUser'], resources: [userPool.userPoolArn] }),
        );
      }
      if (needs.claimSettings) {
        fn.addEnvironment(ENV.claimWindowSeconds, String(props.claimWindowSeconds));
        fn.addEnvironment(ENV.popRetentionDays, String(props.popRetentionDays));
      }
      if (needs.popStream) subscribeToPopChanges(fn, table);
      byHandler[handlerName] = fn;
    }
    this.byHandler = byHandler;
  }

  /** Let the functions that push to instances (HANDLER_NEEDS.manageConnections) call this stage's @connections API. */
  grantManageConnections(stage: apigwv2.WebSocketStage): void {
    for (const fn of Object.values(this.byHandler)) {
      if (!HANDLER_NEEDS[fn.handlerName].manageConnections) continue;
      stage.grantManagementApiAccess(fn);
      fn.addEnvironment(ENV.connectionsEndpoint, stage.callbackUrl);
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${manageConnectionsFinding(stage)}]`,
        reason:
          "execute-api:ManageConnections on this API's own stage only: connection ids are created at run time, so " +
          'the @connections/* suffix cannot be narrower.',
      });
    }
  }
}
