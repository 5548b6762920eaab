import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';

export interface StorageProps {
  /** RETAIN in prod, DESTROY in dev. */
  readonly removalPolicy: RemovalPolicy;
  /** Refuse DeleteTable (prod). */
  readonly deletionProtection: boolean;
}

/** The one table (lambdas/store/tableSchema.ts): connections, presence, pops, record claims, idempotency keys. */
export class Storage extends Construct {
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
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
    this.table = table;
  }
}
