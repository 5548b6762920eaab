import { ArnFormat, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName, type TableAction } from '../lambdas/handlerNeeds';
import { METRICS_NAMESPACE_ENV } from '../lambdas/shared/metricNames';
import { ENV } from '../lambdas/shared/settings';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';
import { memoryOf } from './functionMemory';
import { RemotePopFunction } from './remotePopFunction';

/**
 * The @connections calls the functions make: PostToConnection is `POST /@connections/{connectionId}` of this stage,
 * GetConnection (HANDLER_NEEDS probeConnections) `GET`: execute-api:ManageConnections on that method only (never
 * DELETE), whatever connection id.
 */
function connectionsArn(stage: apigwv2.WebSocketStage, method: 'POST' | 'GET'): string {
  return Stack.of(stage).formatArn({
    service: 'execute-api',
    resource: stage.api.apiId,
    resourceName: `${stage.stageName}/${method}/@connections/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** How cdk-nag prints that resource (tokens as `<AWS::...>`, `<LogicalId>`). */
function manageConnectionsFinding(stage: apigwv2.WebSocketStage, method: 'POST' | 'GET'): string {
  const stack = Stack.of(stage);
  const part = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const apiLogicalId = stack.getLogicalId(stage.api.node.defaultChild as CfnElement);
  return (
    `arn:<AWS::Partition>:execute-api:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:` +
    `<${apiLogicalId}>/${stage.stageName}/${method}/@connections/*`
  );
}

/**
 * Exactly the DynamoDB actions HANDLER_NEEDS lists, on the table; Query also on the ByConnection index (what a
 * connection owns). No stream actions: only the stream's consumer reads the stream, through its event source.
 */
function grantTableActions(fn: RemotePopFunction, table: dynamodb.ITable, actions: readonly TableAction[]): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
  );
  if (actions.includes('Query')) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${TABLE_KEYS.byConnectionIndex.name}`],
      }),
    );
  }
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
        grantTableActions(fn, table, needs.table);
        fn.addEnvironment(ENV.tableName, table.tableName);
      }
      if (needs.userPool) {
        fn.addEnvironment(ENV.userPoolId, userPool.userPoolId);
        fn.addEnvironment(ENV.userPoolClientId, userPoolClient.userPoolClientId);
      }
      if (needs.cognito) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: needs.cognito.map((a) => `cognito-idp:${a}`),
            resources: [userPool.userPoolArn],
          }),
        );
      }
      if (needs.claimSettings) {
        fn.addEnvironment(ENV.claimWindowSeconds, String(props.claimWindowSeconds));
        fn.addEnvironment(ENV.popRetentionDays, String(props.popRetentionDays));
      }
      byHandler[handlerName] = fn;
    }
    this.byHandler = byHandler;
  }

  /**
   * Let the functions that push to instances (HANDLER_NEEDS.manageConnections) POST to this stage's @connections, and
   * those that ask whether a connection still exists (probeConnections) GET it.
   */
  grantManageConnections(stage: apigwv2.WebSocketStage): void {
    for (const fn of Object.values(this.byHandler)) {
      const needs = HANDLER_NEEDS[fn.handlerName];
      const methods = [
        ...(needs.manageConnections ? ['POST' as const] : []),
        ...(needs.probeConnections ? ['GET' as const] : []),
      ];
      if (methods.length === 0) continue;
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['execute-api:ManageConnections'],
          resources: methods.map((method) => connectionsArn(stage, method)),
        }),
      );
      fn.addEnvironment(ENV.connectionsEndpoint, stage.callbackUrl);
      for (const method of methods)
        Validations.of(fn.executionRole).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${manageConnectionsFinding(stage, method)}]`,
          reason:
            `execute-api:ManageConnections on this API's own stage and ${method} (${method === 'POST' ? 'PostToConnection' : 'GetConnection'}) only: connection ids ` +
            'are created at run time, so the @connections/* suffix cannot be narrower.',
        });
    }
  }
}
