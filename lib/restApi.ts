import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { TSchema } from '@sinclair/typebox';
import { Construct } from 'constructs';
import { REST_BINARY_MEDIA_TYPES, REST_ROUTES, type HandlerName, type RestRoute } from '../lambdas/apiRoutes';
import { GATEWAY_ANSWERS, gatewayAnswerBody, gatewayAnswerTemplate } from '../lambdas/edge/gatewayResponses';

/** A request body model: its API Gateway model name and its contract schema (contract/rest.ts), which the Lambda validates with. */
export interface BodyModel {
  /** Letters and digits only (API Gateway model names). */
  readonly name: string;
  readonly schema: TSchema;
}

/** A custom domain name and its ACM certificate (same region as the stack: regional endpoint). */
export interface CustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

/**
 * An API Gateway model schema from a contract schema: its plain JSON Schema (the JSON round trip drops TypeBox's
 * symbol keys), tagged draft-04, the only version API Gateway accepts. The request bodies use draft-04 keywords only
 * (type lists included), so nothing else changes; test/cdk/remotePopStack.test.ts compiles each model as draft-04.
 */
export function modelSchema(schema: TSchema): apigw.JsonSchema {
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...(JSON.parse(JSON.stringify(schema)) as apigw.JsonSchema) };
}

export interface RestApiProps {
  readonly stageName: string;
  /**
   * The function behind each REST route's handler, and `restAuthorizer`, the Lambda REQUEST authorizer of every route
   * that takes a token (lambdas/auth/restAuthorizer.ts).
   */
  readonly handlers: Readonly<Partial<Record<HandlerName, lambda.IFunction>>>;
  /** How long API Gateway caches the authorizer's answer per token (0: no cache; docs/edge.md). */
  readonly authorizerCacheSeconds: number;
  /**
   * The default usage plan's throttle: each tenant's requests per second and burst on the routes that take a token,
   * through its API key, which the authorizer names (`apiKeySource: AUTHORIZER`). A tenant given more by the
   * provisioning CLI is moved to a plan of its own.
   */
  readonly tenantThrottle: { readonly rate: number; readonly burst: number };
  /**
   * Tenants the stack itself calls as (the canary's): their API keys are part of the stack, on the default plan, with
   * the value the authorizer names (lambdas/auth/tenantUsageKey.ts). Every other tenant's comes from the provisioning CLI.
   * @default - none
   */
  readonly standingTenants?: readonly string[];
  readonly throttleRate: number;
  readonly throttleBurst: number;
  /**
   * The lower limit of the routes that take no token (GET /auth, POST /auth/refresh). API Gateway throttles each
   * method on its own bucket, so a flood there cannot take what POST /pop has; the lower limit keeps password guessing
   * and its Cognito calls slow. @default the stage's
   */
  readonly authThrottle?: { readonly rate: number; readonly burst: number };
  readonly accessLogGroup: logs.ILogGroup;
  /** Retention and removal of the execution log group API Gateway would otherwise create without expiry. */
  readonly executionLogRetention: logs.RetentionDays;
  readonly executionLogRemovalPolicy: RemovalPolicy;
  /**
   * Request body models: each handler's schema (the one its Lambda validates with) becomes an API Gateway Model on
   * its method, so the API's own description (exported OpenAPI, generated SDKs) carries the schema. API Gateway does
   * not enforce them: its validator answers every mismatch with one generic message, while the contract promises
   * `Error.Details` naming each bad field, which only the Lambda's check gives. Methods with a body therefore use a
   * parameters-only validator; all others use the full one.
   * @default - no body models
   */
  readonly bodyModels?: Readonly<Partial<Record<HandlerName, BodyModel>>>;
  /**
   * Create API Gateway's account-level CloudWatch role and point the account's setting at it. One per account and
   * region, shared by every API there: the last stack deployed with it wins. Off when the account already has one.
   */
  readonly accountCloudWatchRole: boolean;
  /** What becomes of that role with the stack (dev: deleted with it, so no orphan role per deleted stack). */
  readonly accountCloudWatchRoleRemovalPolicy: RemovalPolicy;
  /** @default - the execute-api URL only */
  readonly customDomain?: CustomDomain;
  /** The TLS policy of the execute-api endpoint and the custom domain (an enhanced policy: TLS 1.2 at least). */
  readonly securityPolicy: apigw.SecurityPolicy;
  /** Required by API Gateway with an enhanced policy. */
  readonly endpointAccessMode: apigw.EndpointAccessMode;
  /** Reachable through `customDomain` only. @default false */
  readonly disableExecuteApiEndpoint?: boolean;
  /**
   * Associate a WAF web ACL with one rate-based rule (per source IP, per 5 minutes) with the stage.
   * @default - no web ACL
   */
  readonly wafRateLimitPer5Minutes?: number;
}

/** One JSON object per request. No headers, tokens or bodies: only what an operator needs to follow a call. */
const REST_ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  jsonAccessLog({
    requestId: apigw.AccessLogField.contextRequestId(),
    extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    errorType: apigw.AccessLogField.contextErrorResponseType(),
    authorizeError: apigw.AccessLogField.contextAuthorizeError(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

/**
 * A JSON access-log line from `$context` variables (each quoted), plus the error message through
 * `$context.error.messageString`, which API Gateway already quotes and escapes.
 */
export function jsonAccessLog(fields: Readonly<Record<string, string>>): string {
  const quoted = Object.entries(fields).map(([name, variable]) => `"${name}":"${variable}"`);
  return `{${[...quoted, '"error":$context.error.messageString'].join(',')}}`;
}

/** Method settings for the routes that take no token (`/auth/GET`, `/auth/refresh/POST`), or none. */
export function unauthenticatedThrottles(
  limit: RestApiProps['authThrottle'],
): Record<string, apigw.MethodDeploymentOptions> {
  if (!limit) return {};
  const open = REST_ROUTES.filter((route) => route.auth === 'none');
  return Object.fromEntries(
    open.map((route) => [
      `${route.resource}/${route.method}`,
      { throttlingRateLimit: limit.rate, throttlingBurstLimit: limit.burst },
    ]),
  );
}

/** API Gateway header values are literals in single quotes. */
const literal = (value: string): string => `'${value.replace(/'/g, '')}'`;

/**
 * The REST API: the routes of REST_ROUTES (Lambda proxy), the Lambda REQUEST authorizer and the default usage plan
 * (limits per tenant), API Gateway's answers in the envelope.
 */
export class RestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly authorizer: apigw.RequestAuthorizer;
  /** The plan every tenant's API key is put on when the tenant is provisioned (provisioning/tenantKeys.ts). */
  readonly defaultUsagePlan: apigw.UsagePlan;
  readonly requestValidator: apigw.RequestValidator;
  /** For methods whose body the Lambda validates (see `bodyModels`). */
  readonly parametersValidator: apigw.RequestValidator;
  readonly methods: Readonly<Partial<Record<HandlerName, apigw.Method>>>;
  readonly models: Readonly<Partial<Record<HandlerName, apigw.Model>>>;
  /** Set when `customDomain` is given. */
  readonly domainName?: apigw.DomainName;
  /** Set when `wafRateLimitPer5Minutes` is given. */
  readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    this.api = this.createApi(props);
    if (props.wafRateLimitPer5Minutes !== undefined) {
      this.webAcl = this.addRateLimitWebAcl(props.wafRateLimitPer5Minutes);
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL in dev by default (prod has one; wafRateLimitPer5Minutes adds one): every route is throttled at the ' +
          'stage, pops need a Cognito IdToken, and a web ACL costs about 6 USD a month even when idle.',
      });
    }
    if (props.customDomain) this.domainName = this.addCustomDomain(props.customDomain, props);

    this.authorizer = this.createAuthorizer(props);
    this.defaultUsagePlan = this.api.addUsagePlan('DefaultUsagePlan', {
      name: `${Stack.of(this).stackName}-default`,
      description: 'Remote Pop: every tenant unless given a plan of its own (provisioning CLI: tenant limits)',
      throttle: { rateLimit: props.tenantThrottle.rate, burstLimit: props.tenantThrottle.burst },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    for (const tenant of props.standingTenants ?? []) this.addStandingTenantKey(tenant);
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.parametersValidator = this.api.addRequestValidator('ParametersValidator', {
      validateRequestBody: false,
      validateRequestParameters: true,
    });

    const methods: Partial<Record<HandlerName, apigw.Method>> = {};
    const models: Partial<Record<HandlerName, apigw.Model>> = {};
    for (const route of REST_ROUTES) {
      const fn = props.handlers[route.handler];
      if (!fn)
        throw new Error(`RestApi: no function for handler "${route.handler}" (${route.method} ${route.resource})`);
      const bodyModel = props.bodyModels?.[route.handler];
      const model = bodyModel ? this.addBodyModel(route, bodyModel) : undefined;
      if (model) models[route.handler] = model;
      methods[route.handler] = this.addRouteMethod(route, fn, model);
    }
    this.methods = methods;
    this.models = models;
    this.addGatewayResponses();
  }

  /** A tenant's API key on the default plan, as `tenantUsageKey(restApiId, tenant)` makes it. */
  private addStandingTenantKey(tenant: string): void {
    const key = new apigw.ApiKey(this, `TenantKey-${tenant}`, {
      description: `Remote Pop tenant ${tenant}, which the stack calls as (docs/edge.md)`,
      value: Fn.join('', ['remote-pop-', this.api.restApiId, `-${tenant}`]),
      enabled: true,
    });
    this.defaultUsagePlan.addApiKey(key);
  }

  /**
   * The REQUEST authorizer on `Authorization` (a request without it is 401 before the function runs). Its answer is
   * cached per token for `authorizerCacheSeconds`; its policy covers the whole stage so a cached answer serves any method.
   */
  private createAuthorizer(props: RestApiProps): apigw.RequestAuthorizer {
    const handler = props.handlers.restAuthorizer;
    if (!handler) throw new Error('RestApi: no function for handler "restAuthorizer"');
    return new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds),
    });
  }

  /**
   * The API and its stage (traced, metered, throttled, access-logged), with the stage's execution log group created
   * first, so that it has a retention.
   */
  private createApi(props: RestApiProps): apigw.RestApi {
    const api = new apigw.RestApi(this, 'Api', {
      // REST metrics are keyed by ApiName + Stage only: a name per stack keeps two stacks' alarms apart.
      restApiName: `${Stack.of(this).stackName}-rest`,
      description: 'Remote Pop REST API: tokens and pops',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Usage plans take the key the authorizer names, never an x-api-key header: callers cannot choose a plan.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      // Bodies reach the Lambdas as received bytes (base64), so invalid UTF-8 is refused, not rewritten (apiRoutes.ts).
      binaryMediaTypes: [...REST_BINARY_MEDIA_TYPES],
      // API Gateway's account-level CloudWatch role, needed for execution and access logs (REST and WebSocket).
      cloudWatchRole: props.accountCloudWatchRole,
      ...(props.accountCloudWatchRole ? { cloudWatchRoleRemovalPolicy: props.accountCloudWatchRoleRemovalPolicy } : {}),
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR execution logs; never INFO with data tracing, which would write Authorization headers and bodies.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRate,
        throttlingBurstLimit: props.throttleBurst,
        methodOptions: unauthenticatedThrottles(props.authThrottle),
        accessLogDestination: new apigw.LogGroupLogDestination(props.accessLogGroup),
        accessLogFormat: REST_ACCESS_LOG_FORMAT,
      },
    });
    // API Gateway writes ERROR execution logs to this name and would create it itself, kept forever; create it first.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${props.stageName}`,
      retention: props.executionLogRetention,
      removalPolicy: props.executionLogRemovalPolicy,
    });
    api.deploymentStage.node.addDependency(executionLogs);
    // Without a policy the execute-api endpoint accepts TLS 1.0 (AWS's default for REST APIs); the L2 has no property.
    const cfnApi = api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = props.securityPolicy;
    cfnApi.endpointAccessMode = props.endpointAccessMode;

    // The stack's own outputs name the URL (RestApiUrl); drop the construct's automatic `Endpoint` output.
    api.node.tryRemoveChild('Endpoint');
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway CloudWatch role is one per account and region, shared by every API there; ' +
        'AWS documents this managed policy for it, and a narrower policy would break the logging of other APIs.',
    });
    return api;
  }

  /** A regional custom domain (the API's enhanced TLS policy) with the stage mapped under its own name. */
  private addCustomDomain(customDomain: CustomDomain, props: RestApiProps): apigw.DomainName {
    const { stageName } = props;
    const domainName = new apigw.DomainName(this, 'DomainName', {
      domainName: customDomain.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: props.securityPolicy,
      endpointAccessMode: props.endpointAccessMode,
    });
    // Mapped under the stage name, so paths read the same on both hosts: https://<domain>/<stage>/pop.
    domainName.addBasePathMapping(this.api, { basePath: stageName, stage: this.api.deploymentStage });
    return domainName;
  }

  private readonly bodyModelsByName = new Map<string, apigw.Model>();

  /** One model per body schema: POST /pop and POST /pop/validate take the same PopRequest. */
  private addBodyModel(route: RestRoute, bodyModel: BodyModel): apigw.Model {
    const known = this.bodyModelsByName.get(bodyModel.name);
    if (known) return known;
    const model = this.api.addModel(`${bodyModel.name}Model`, {
      modelName: bodyModel.name,
      contentType: 'application/json',
      description: `${route.method} ${route.resource} body (contract/rest.ts)`,
      schema: modelSchema(bodyModel.schema),
    });
    this.bodyModelsByName.set(bodyModel.name, model);
    return model;
  }

  /**
   * A route's method: Lambda proxy integration, the Lambda authorizer and the tenant's API key unless the route
   * authenticates by itself, and
   * the parameters-only validator when the body has a model (see `bodyModels`).
   */
  private addRouteMethod(route: RestRoute, fn: lambda.IFunction, model: apigw.Model | undefined): apigw.Method {
    const method = this.api.root
      .resourceForPath(route.resource)
      .addMethod(route.method, new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), {
        requestValidator: model ? this.parametersValidator : this.requestValidator,
        ...(model ? { requestModels: { 'application/json': model } } : {}),
        ...(route.auth === 'cognito'
          ? { authorizer: this.authorizer, authorizationType: apigw.AuthorizationType.CUSTOM, apiKeyRequired: true }
          : { authorizationType: apigw.AuthorizationType.NONE }),
      });
    if (route.auth === 'cognito') {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'A Lambda REQUEST authorizer (lambdas/auth/restAuthorizer.ts) verifies the Cognito IdToken as the Cognito ' +
          "authorizer would, and also refuses revoked users' tokens and names the tenant's usage plan key.",
      });
    }
    if (route.auth === 'none') {
      const reason =
        `${route.method} ${route.resource} is where callers obtain or refresh their Cognito tokens, so it cannot ` +
        'require one: the handler authenticates the Basic credentials or refresh token against Cognito itself.';
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
    }
    return method;
  }

  /** API Gateway's own answers (no token, throttled, too large...) in the envelope, from GATEWAY_ANSWERS. */
  private addGatewayResponses(): void {
    for (const [key, answer] of Object.entries(GATEWAY_ANSWERS)) {
      const headers: Record<string, string> = answer.headers ?? {};
      this.api.addGatewayResponse(key, {
        type: apigw.ResponseType.of(answer.type),
        ...(answer.statusCode !== undefined ? { statusCode: String(answer.statusCode) } : {}),
        responseHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, literal(value)])),
        templates: { 'application/json': gatewayAnswerTemplate(answer) },
      });
    }
  }

  /**
   * A regional web ACL that blocks a source IP above `limit` requests in any 5 minutes with 429 in the envelope
   * (WAF cannot fill in a request id, so RequestId says where the answer came from), associated with the stage.
   */
  private addRateLimitWebAcl(limit: number): wafv2.CfnWebACL {
    const metricName = (suffix: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `RemotePop${suffix}`,
      sampledRequestsEnabled: true,
    });
    const throttled = GATEWAY_ANSWERS.throttled;
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      // Named so the dashboard can chart it (WAF metrics carry the web ACL's name).
      name: `${Stack.of(this).stackName}-rest`,
      scope: 'REGIONAL',
      description: 'Remote Pop REST API: rate limit per source IP',
      defaultAction: { allow: {} },
      visibilityConfig: metricName('RestWebAcl'),
      customResponseBodies: {
        TooManyRequests: { contentType: 'APPLICATION_JSON', content: gatewayAnswerBody(throttled, 'waf-rate-limit') },
      },
      rules: [
        {
          name: 'RateLimitPerSourceIp',
          priority: 0,
          statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          action: {
            block: {
              customResponse: {
                responseCode: throttled.statusCode ?? 429,
                customResponseBodyKey: 'TooManyRequests',
                responseHeaders: [{ name: 'Retry-After', value: '60' }],
              },
            },
          },
          visibilityConfig: metricName('RestRateLimit'),
        },
      ],
    });
    const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    association.node.addDependency(this.api.deploymentStage);
    return webAcl;
  }
}
