import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface TableBackupProps {
  readonly table: dynamodb.ITable;
  /** Days each daily recovery point is kept. */
  readonly retentionDays: number;
  /** Of the vault: RETAIN in prod, so the recovery points outlive the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A daily AWS Backup of the table (prod), beside its point-in-time recovery: PITR restores any second of the last 35
 * days into a new table; the plan's recovery points are kept `retentionDays` in a vault of their own (encrypted with
 * AWS Backup's key), survive the table's deletion, and can be copied to another region or account. Restore:
 * docs/deploy.md, "Restoring the table".
 */
export class TableBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', { removalPolicy: props.removalPolicy });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          // 03:00 UTC, when pops are fewest for most time zones; the start and completion windows are AWS's defaults.
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Table', {
      resources: [backup.BackupResource.fromDynamoDbTable(props.table)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own service role policy for taking backups, maintained by AWS as the service's needs change; " +
        'the selection names the one table, so the role is only ever used for it.',
    });
  }
}
