import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REST_ROUTES, type HandlerName } from '../lambdas/apiRoutes';
import { GATEWAY_ANSWERS, gatewayAnswerTemplate } from '../lambdas/shared/gatewayResponses';

export interface RestApiProps {
  readonly stageName: string;
  readonly userPool: cognito.IUserPool;
  /** The function behind each REST route's handler. */
  readonly handlers: Readonly<Partial<Record<HandlerName, lambda.IFunction>>>;
  readonly throttleRate: number;
  readonly throttleBurst: number;
  readonly accessLogGroup: logs.ILogGroup;
  /** Retention and removal of the execution log group API Gateway would otherwise create without expiry. */
  readonly executionLogRetention: logs.RetentionDays;
  readonly executionLogRemovalPolicy: RemovalPolicy;
  /**
   * Hook for body validation by API Gateway: a JSON schema per handler becomes a Model checked by the request
   * validator (a mismatch answers 400 BAD_REQUEST_BODY in the envelope). The handlers validate every body themselves
   * and name each bad field, so none is set yet.
   * @default - no body models
   */
  readonly bodySchemas?: Readonly<Partial<Record<HandlerName, apigw.JsonSchema>>>;
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

/** API Gateway header values are literals in single quotes. */
const literal = (value: string): string => `'${value.replace(/'/g, '')}'`;

/** The REST API: the routes of REST_ROUTES (Lambda proxy), the Cognito authorizer, API Gateway's answers in the envelope. */
export class RestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly authorizer: apigw.CognitoUserPoolsAuthorizer;
  readonly requestValidator: apigw.RequestValidator;
  readonly methods: Readonly<Partial<Record<HandlerName, apigw.Method>>>;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Remote Pop REST API: tokens and pops',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // API Gateway's account-level CloudWatch role, needed for execution and access logs (REST and WebSocket).
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR execution logs; never INFO with data tracing, which would write Authorization headers and bodies.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRate,
        throttlingBurstLimit: props.throttleBurst,
        accessLogDestination: new apigw.LogGroupLogDestination(props.accessLogGroup),
        accessLogFormat: REST_ACCESS_LOG_FORMAT,
      },
    });
    // API Gateway writes ERROR execution logs to this name and would create it itself, kept forever; create it first.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stageName}`,
      retention: props.executionLogRetention,
      removalPolicy: props.executionLogRemovalPolicy,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    // The stack's own outputs name the URL (RestApiUrl); drop the construct's automatic `Endpoint` output.
    this.api.node.tryRemoveChild('Endpoint');
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway CloudWatch role is one per account and region, shared by every API there; ' +
        'AWS documents this managed policy for it, and a narrower policy would break the logging of other APIs.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL in this stack: every route is throttled at the stage, pops need a Cognito IdToken, and a ' +
        'web ACL (with its cost and rules) is a per-deployment decision attached outside this stack.',
    });

    this.authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
    });
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const methods: Partial<Record<HandlerName, apigw.Method>> = {};
    for (const route of REST_ROUTES) {
      const fn = props.handlers[route.handler];
      if (!fn) throw new Error(`RestApi: no function for handler "${route.handler}" (${route.method} ${route.resource})`);
      const schema = props.bodySchemas?.[route.handler];
      const method = this.api.root.resourceForPath(route.resource).addMethod(
        route.method,
        new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
        {
          requestValidator: this.requestValidator,
          ...(schema
            ? { requestModels: { 'application/json': this.api.addModel(`${route.handler}Body`, { schema }) } }
            : {}),
          ...(route.auth === 'cognito'
            ? { authorizer: this.authorizer, authorizationType: apigw.AuthorizationType.COGNITO }
            : { authorizationType: apigw.AuthorizationType.NONE }),
        },
      );
      if (route.auth === 'none') {
        const reason =
          `${route.method} ${route.resource} is where callers obtain or refresh their Cognito tokens, so it cannot ` +
          'require one: the handler authenticates the Basic credentials or refresh token against Cognito itself.';
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
      methods[route.handler] = method;
    }
    this.methods = methods;

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
}
