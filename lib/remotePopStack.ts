import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TableBackup } from './backup';
import { Canary } from './canary';
import { CANARY_TENANT } from '../ops/canary/canary';
import { EventPipeline } from './eventPipeline';
import { Functions } from './functions';
import { HeldPops } from './heldPops';
import { REST_OPERATIONS, type OperationId } from '../contract/operations';
import { DEFAULT_METRICS_NAMESPACE } from '../lambdas/shared/metricNames';
import { Observability } from './observability';
import { RestApi, type BodyModel } from './restApi';
import { settingsFromContext, type Settings } from './stackSettings';
import { Storage } from './storage';
import { Tracing } from './tracing';
import { TenantUserPool } from './userPool';
import { WebSocketApi } from './webSocketApi';
import { WebhookKey } from './webhookKey';
import { Webhooks } from './webhooks';

export interface RemotePopStackProps extends StackProps {
  /** @default - read from CDK context (lib/stackSettings.ts), defaults where absent */
  readonly settings?: Settings;
}

/** The output keys; the local stack writes the same keys to .local/endpoints.json (local/README.md). */
export const OUTPUT_KEYS = [
  'RestApiUrl',
  'WebSocketUrl',
  'UserPoolId',
  // No UserPoolClientId: nothing outside the stack signs in at Cognito (sign-in is through GET /auth; the functions
  // get the id in their environment). The local stack still writes it, for tests that sign in at the emulator.
  'TableName',
  'Region',
  // For `events replay` (provisioning/eventCommands.ts): the stream's on-failure queue, and the delivery queue the
  // replayed events' webhooks go to.
  'StreamFailureQueueUrl',
  'WebhookQueueUrl',
  // For `tenant keys` and `tenant limits` (provisioning/tenantKeys.ts): tenants' API key values derive from it.
  'RestApiId',
] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];

/**
 * The contract's request bodies (the schemas the Lambdas validate with) as API Gateway models, on the route of each
 * operation that takes one: REST routes are served by the handler named after their operation (lambdas/apiRoutes.ts).
 */
function contractBodyModels(): Partial<Record<OperationId, BodyModel>> {
  const operations = Object.entries(REST_OPERATIONS) as [OperationId, (typeof REST_OPERATIONS)[OperationId]][];
  return Object.fromEntries(operations.flatMap(([id, operation]) => (operation.body ? [[id, operation.body]] : [])));
}

/**
 * Requests per source IP per 5 minutes above which the WAF blocks, in `prod` when `wafRateLimitPer5Minutes` is unset:
 * 20,000 is about 67 requests/s sustained, above the default limit of POST /pop (50/s), so one busy integration
 * behind one address is not blocked while a flood from one address is (docs/edge.md).
 */
export const PROD_WAF_RATE_LIMIT_PER_5_MINUTES = 20_000;

/** The web ACL's rate limit: the setting, else on by default in prod, else none (dev: a web ACL costs 6 USD a month). */
function wafRateLimit(settings: Settings): { wafRateLimitPer5Minutes?: number } {
  const limit =
    settings.wafRateLimitPer5Minutes ??
    (settings.environment === 'prod' ? PROD_WAF_RATE_LIMIT_PER_5_MINUTES : undefined);
  return limit === undefined ? {} : { wafRateLimitPer5Minutes: limit };
}

/** What prod keeps and dev destroys, and how long logs stay. */
interface Retention {
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
}

/** Remote Pop: identity, storage, one function per handler, the REST API and the WebSocket API, wired together. */
export class RemotePopStack extends Stack {
  readonly settings: Settings;
  readonly identity: TenantUserPool;
  readonly storage: Storage;
  readonly functions: Functions;
  readonly restApi: RestApi;
  readonly webSocketApi: WebSocketApi;
  readonly observability: Observability;
  /** The synthetic canary (setting `canary`, on by default in prod). */
  readonly canary: Canary | undefined;
  /** The table's daily AWS Backup (prod). */
  readonly backup: TableBackup | undefined;
  readonly webhooks: Webhooks;
  /** The KMS key of the webhook signing secrets (lib/webhookKey.ts). */
  readonly webhookKey: WebhookKey;
  readonly heldPops: HeldPops;
  readonly eventPipeline: EventPipeline;
  /** The X-Ray sampling rule of the REST stage (settings `xraySamplingRate`, `xraySamplingReservoir`). */
  readonly tracing: Tracing;
  /** Where the functions' EMF metrics go: one namespace per stack, so two stages in one account never mix. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: RemotePopStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? settingsFromContext(this);
    this.settings = settings;
    const prod = settings.environment === 'prod';
    const retention: Retention = {
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      logRetention: settings.logRetentionDays as logs.RetentionDays,
    };
    this.metricsNamespace = `${DEFAULT_METRICS_NAMESPACE}/${this.stackName}`;

    this.identity = new TenantUserPool(this, 'Identity', {
      tokenValidity: Duration.minutes(settings.idTokenValidityMinutes),
      removalPolicy: retention.removalPolicy,
      deletionProtection: prod,
      enforceThreatProtection: prod,
    });
    this.storage = this.createStorage(settings, retention);
    this.functions = new Functions(this, 'Functions', {
      table: this.storage.table,
      userPool: this.identity.userPool,
      userPoolClient: this.identity.userPoolClient,
      claimWindowSeconds: settings.claimWindowSeconds,
      popRetentionDays: settings.popRetentionDays,
      logRetention: retention.logRetention,
      logRemovalPolicy: retention.removalPolicy,
      reservedConcurrency: settings.lambdaReservedConcurrency,
      metricsNamespace: this.metricsNamespace,
    });
    this.restApi = this.createRestApi(settings, retention);
    this.tracing = this.createTracing(settings);
    this.webSocketApi = this.createWebSocketApi(settings, retention);
    this.functions.grantManageConnections(this.webSocketApi.stage);
    [this.webhooks, this.eventPipeline] = this.createPipeline(settings, retention);
    this.webhookKey = new WebhookKey(this, 'WebhookKey', {
      functions: this.functions.byHandler,
      removalPolicy: retention.removalPolicy,
    });
    this.heldPops = new HeldPops(this, 'HeldPops', {
      functions: this.functions.byHandler,
      removalPolicy: retention.removalPolicy,
    });
    this.canary = (settings.canary ?? prod) ? this.createCanary(settings, retention) : undefined;
    this.backup = prod ? this.createBackup(settings, retention) : undefined;
    const ownAlarms = this.canary ? [this.canary.alarm] : [];
    this.observability = new Observability(this, 'Observability', {
      restStage: this.restApi.api.deploymentStage,
      webSocketStage: this.webSocketApi.stage,
      functions: this.functions.byHandler,
      table: this.storage.table,
      metricsNamespace: this.metricsNamespace,
      ...(this.canary ? { canary: this.canary.metrics } : {}),
      alarms: [...ownAlarms, this.webhooks.deadLetterAlarm, ...this.eventPipeline.alarms],
      ...(settings.alarmEmail !== undefined ? { alarmEmail: settings.alarmEmail } : {}),
      ...(this.restApi.webAcl?.name !== undefined ? { webAclName: this.restApi.webAcl.name } : {}),
    });
    this.addOutputs();
  }

  /** The table: created, or adopted by name (a restored table, `adoptTableName`). */
  private createStorage(settings: Settings, retention: Retention): Storage {
    return new Storage(this, 'Storage', {
      removalPolicy: retention.removalPolicy,
      deletionProtection: settings.environment === 'prod',
      ...(settings.adoptTableName !== undefined ? { adoptTableName: settings.adoptTableName } : {}),
    });
  }

  /** The canary calls the stack as a caller would (the RestApiUrl output), as its tenant `remote-pop-canary` (lib/canary.ts). */
  private createCanary(settings: Settings, retention: Retention): Canary {
    return new Canary(this, 'Canary', {
      restApiUrl: `https://${this.restHost()}/${this.restApi.api.deploymentStage.stageName}`,
      webSocketUrl: this.webSocketApi.stage.url,
      userPool: this.identity.userPool,
      table: this.storage.table,
      metricsNamespace: this.metricsNamespace,
      interval: Duration.minutes(settings.canaryIntervalMinutes),
      logRetention: retention.logRetention,
      logRemovalPolicy: retention.removalPolicy,
    });
  }

  /** The daily AWS Backup of the table, beside its PITR (lib/backup.ts). */
  private createBackup(settings: Settings, retention: Retention): TableBackup {
    return new TableBackup(this, 'Backup', {
      table: this.storage.table,
      retentionDays: settings.backupRetentionDays,
      removalPolicy: retention.removalPolicy,
    });
  }

  /** An API's access log group, with the stack's retention. */
  private accessLogs(logId: string, retention: Retention): logs.LogGroup {
    return new logs.LogGroup(this, logId, {
      retention: retention.logRetention,
      removalPolicy: retention.removalPolicy,
    });
  }

  /** The webhook delivery queue and the stream's event source with its on-failure queue and alarms. */
  private createPipeline(settings: Settings, retention: Retention): [Webhooks, EventPipeline] {
    const webhooks = new Webhooks(this, 'Webhooks', {
      functions: this.functions.byHandler,
      removalPolicy: retention.removalPolicy,
      ...(settings.lambdaReservedConcurrency !== undefined
        ? { reservedConcurrency: settings.lambdaReservedConcurrency }
        : {}),
    });
    const eventPipeline = new EventPipeline(this, 'EventPipeline', {
      table: this.storage.table,
      popStream: this.functions.byHandler.popStream,
      removalPolicy: retention.removalPolicy,
      parallelizationFactor: settings.streamParallelizationFactor,
      metricsNamespace: this.metricsNamespace,
    });
    return [webhooks, eventPipeline];
  }

  private createRestApi(settings: Settings, retention: Retention): RestApi {
    return new RestApi(this, 'Rest', {
      stageName: settings.stageName,
      handlers: this.functions.byHandler,
      authorizerCacheSeconds: settings.restAuthorizerCacheSeconds,
      tenantThrottle: { rate: settings.tenantThrottleRate, burst: settings.tenantThrottleBurst },
      // The canary pops as a tenant of its own: its key is the stack's (every other tenant's is the CLI's).
      standingTenants: (settings.canary ?? settings.environment === 'prod') ? [CANARY_TENANT] : [],
      throttleRate: settings.restThrottleRate,
      throttleBurst: settings.restThrottleBurst,
      authThrottle: { rate: settings.authThrottleRate, burst: settings.authThrottleBurst },
      accessLogGroup: this.accessLogs('RestAccessLogs', retention),
      executionLogRetention: retention.logRetention,
      executionLogRemovalPolicy: retention.removalPolicy,
      bodyModels: contractBodyModels(),
      accountCloudWatchRole: settings.apiGatewayCloudWatchRole,
      accountCloudWatchRoleRemovalPolicy: retention.removalPolicy,
      ...(settings.restDomainName && settings.restCertificateArn
        ? { customDomain: { domainName: settings.restDomainName, certificateArn: settings.restCertificateArn } }
        : {}),
      ...wafRateLimit(settings),
      securityPolicy: settings.restSecurityPolicy as apigw.SecurityPolicy,
      endpointAccessMode: settings.restEndpointAccessMode as apigw.EndpointAccessMode,
      disableExecuteApiEndpoint: settings.disableExecuteApiEndpoint,
    });
  }

  /** The REST stage's X-Ray sampling rule (lib/tracing.ts). */
  private createTracing(settings: Settings): Tracing {
    return new Tracing(this, 'Tracing', {
      restApiName: this.restApi.api.restApiName,
      stageName: settings.stageName,
      fixedRate: settings.xraySamplingRate,
      reservoirSize: settings.xraySamplingReservoir,
    });
  }

  private createWebSocketApi(settings: Settings, retention: Retention): WebSocketApi {
    return new WebSocketApi(this, 'WebSocket', {
      stageName: settings.stageName,
      handlers: this.functions.byHandler,
      throttleRate: settings.webSocketThrottleRate,
      throttleBurst: settings.webSocketThrottleBurst,
      accessLogGroup: this.accessLogs('WebSocketAccessLogs', retention),
      // The REST API sets API Gateway's account-level CloudWatch role, which WebSocket access logging needs too.
      loggingDependsOn: this.restApi.api,
      ...(settings.webSocketDomainName && settings.webSocketCertificateArn
        ? {
            customDomain: {
              domainName: settings.webSocketDomainName,
              certificateArn: settings.webSocketCertificateArn,
            },
          }
        : {}),
    });
  }

  /** The REST API's host: its custom domain when the execute-api endpoint is off (disableExecuteApiEndpoint). */
  private restHost(): string {
    const { restDomainName, disableExecuteApiEndpoint } = this.settings;
    if (disableExecuteApiEndpoint && restDomainName !== undefined) return restDomainName;
    return `${this.restApi.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`;
  }

  /** OUTPUT_KEYS, and with custom domains the names to point DNS at (CNAME or alias); the stack manages no DNS zone. */
  private addOutputs(): void {
    const restApi = this.restApi.api;
    const outputs: Record<OutputKey, string> = {
      // No trailing slash, like WebSocketUrl and the local stack's URLs: `${RestApiUrl}/auth`.
      RestApiUrl: `https://${this.restHost()}/${restApi.deploymentStage.stageName}`,
      WebSocketUrl: this.webSocketApi.stage.url,
      UserPoolId: this.identity.userPool.userPoolId,
      TableName: this.storage.table.tableName,
      Region: this.region,
      StreamFailureQueueUrl: this.eventPipeline.failureQueue.queueUrl,
      WebhookQueueUrl: this.webhooks.queue.queueUrl,
      RestApiId: restApi.restApiId,
    };
    for (const key of OUTPUT_KEYS) new CfnOutput(this, key, { value: outputs[key] });
    // For the provisioning CLI: tenants' API keys (lambdas/auth/tenantUsageKey.ts) go on the default plan. Not in
    // OUTPUT_KEYS: the local stack has a default plan only when started with a tenant throttle.
    new CfnOutput(this, 'DefaultUsagePlanId', { value: this.restApi.defaultUsagePlan.usagePlanId });
    if (this.restApi.domainName) {
      new CfnOutput(this, 'RestDomainTarget', { value: this.restApi.domainName.domainNameAliasDomainName });
    }
    if (this.webSocketApi.domainName) {
      new CfnOutput(this, 'WebSocketDomainTarget', { value: this.webSocketApi.domainName.regionalDomainName });
    }
  }
}
