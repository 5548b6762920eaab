import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';

export interface StorageProps {
  /** RETAIN in prod, DESTROY in dev. */
  readonly removalPolicy: RemovalPolicy;
  /** Refuse DeleteTable (prod). */
  readonly deletionProtection: boolean;
  /**
   * Serve from this existing table (a restored copy, docs/deploy.md "Restoring the table") instead of creating one.
   * The stack turns on what a restore does not carry over: its stream, TTL and point-in-time recovery.
   * @default - the stack creates its table
   */
  readonly adoptTableName?: string;
}

/** The one table (lambdas/store/tableSchema.ts): connections, presence, pops, record claims, idempotency keys. */
export class Storage extends Construct {
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.table = props.adoptTableName === undefined ? this.createTable(props) : this.adoptTable(props.adoptTableName);
  }

  private createTable(props: StorageProps): dynamodb.ITable {
    const { partitionKey, sortKey, ttlAttribute, byConnectionIndex } = TABLE_KEYS;
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
      // The event feed is derived from the changes themselves (lambdas/events/): both images, so a status change is
      // told apart from any other write to a pop.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    table.addGlobalSecondaryIndex({
      indexName: byConnectionIndex.name,
      partitionKey: { name: byConnectionIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: byConnectionIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }

  /**
   * An existing table, with the settings a restored table lacks turned on by SDK calls at deploy time (a restore keeps
   * keys, items and indexes, not the stream, TTL or PITR). Enabling what is already on answers ValidationException,
   * which is ignored, so a redeploy is harmless; the stream's ARN is read back for the event feed's event source.
   */
  private adoptTable(tableName: string): dynamodb.ITable {
    const tableArn = Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName });
    const call = (id: string, action: string, parameters: Record<string, unknown>, ignore?: string): cr.AwsSdkCall => ({
      service: 'DynamoDB',
      action,
      parameters: { TableName: tableName, ...parameters },
      physicalResourceId: cr.PhysicalResourceId.of(`${tableName}-${id}`),
      ...(ignore ? { ignoreErrorCodesMatching: ignore } : {}),
    });
    const enable = (id: string, sdkCall: cr.AwsSdkCall) =>
      new cr.AwsCustomResource(this, id, {
        onCreate: sdkCall,
        onUpdate: sdkCall,
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [tableArn] }),
        installLatestAwsSdk: false,
      });
    const stream = enable(
      'EnableStream',
      call(
        'stream',
        'UpdateTable',
        { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } },
        'ValidationException',
      ),
    );
    const ttl = { Enabled: true, AttributeName: TABLE_KEYS.ttlAttribute };
    enable('EnableTtl', call('ttl', 'UpdateTimeToLive', { TimeToLiveSpecification: ttl }, 'ValidationException'));
    const pitr = { PointInTimeRecoveryEnabled: true };
    enable('EnablePitr', call('pitr', 'UpdateContinuousBackups', { PointInTimeRecoverySpecification: pitr }));
    const describe = enable('ReadStream', {
      ...call('describe', 'DescribeTable', {}),
      outputPaths: ['Table.LatestStreamArn'],
    });
    describe.node.addDependency(stream);
    this.acknowledgeProvider();
    return dynamodb.Table.fromTableAttributes(this, 'Table', {
      tableName,
      tableStreamArn: describe.getResponseField('Table.LatestStreamArn'),
      globalIndexes: [TABLE_KEYS.byConnectionIndex.name],
    });
  }

  /** The SDK-call provider is CDK's one function per stack (AwsCustomResource's singleton). */
  private acknowledgeProvider(): void {
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    if (!provider) return;
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's SDK-call provider (AwsCustomResource) runs only at deploy time, to turn on the adopted table's " +
        'stream, TTL and PITR; the managed policy lets it write its own logs.',
    });
  }
}
