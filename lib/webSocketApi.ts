import { Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import {
  WEBSOCKET_AUTHORIZER,
  WEBSOCKET_IDENTITY_SOURCE,
  WEBSOCKET_ROUTE_SELECTION,
  WEBSOCKET_ROUTES,
  type HandlerName,
} from '../lambdas/apiRoutes';
import { jsonAccessLog, type CustomDomain } from './restApi';

export interface WebSocketApiProps {
  readonly stageName: string;
  /** The function behind each WebSocket route's handler and the `$connect` authorizer. */
  readonly handlers: Readonly<Partial<Record<HandlerName, lambda.IFunction>>>;
  readonly throttleRate: number;
  readonly throttleBurst: number;
  readonly accessLogGroup: logs.ILogGroup;
  /**
   * What must exist before the stage can log: API Gateway's account-level CloudWatch role (set by the REST API).
   * @default - nothing
   */
  readonly loggingDependsOn?: IDependable;
  /** @default - the execute-api URL only */
  readonly customDomain?: CustomDomain;
}

const WEBSOCKET_ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  jsonAccessLog({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    connectionId: '$context.connectionId',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    status: '$context.status',
    integrationLatency: '$context.integrationLatency',
    // The authorizer's context (tenant, instance): who a connection belongs to, nothing secret.
    tenant: '$context.authorizer.tenant',
    instance: '$context.authorizer.instance',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The WebSocket API for Scripting instances: `$connect` behind the REQUEST authorizer (one identity source, the
 * Authorization header), a route per WEBSOCKET_ROUTES chosen by `$request.body.Action`, one auto-deployed stage.
 */
export class WebSocketApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly routes: Readonly<Record<string, apigwv2.WebSocketRoute>>;
  /** Set when `customDomain` is given. */
  readonly domainName?: apigwv2.DomainName;

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-websocket`,
      description: 'Remote Pop WebSocket API for Scripting instances',
      routeSelectionExpression: WEBSOCKET_ROUTE_SELECTION,
    });
    this.routes = this.addRoutes(props.handlers);

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate, burstLimit: props.throttleBurst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(props.accessLogGroup),
        format: WEBSOCKET_ACCESS_LOG_FORMAT,
      },
    });
    if (props.loggingDependsOn) this.stage.node.addDependency(props.loggingDependsOn);

    // X-Ray: API Gateway does not trace WebSocket APIs (no tracing setting on v2 stages); the functions behind the
    // routes are traced (tracing: ACTIVE), so each message's Lambda work still shows up in X-Ray.
    if (props.customDomain) this.domainName = this.addCustomDomain(props.customDomain, props.stageName);
  }

  /** A route per WEBSOCKET_ROUTES entry, `$connect` behind the Lambda REQUEST authorizer. */
  private addRoutes(handlers: WebSocketApiProps['handlers']): Record<string, apigwv2.WebSocketRoute> {
    const handler = (name: HandlerName): lambda.IFunction => {
      const fn = handlers[name];
      if (!fn) throw new Error(`WebSocketApi: no function for handler "${name}"`);
      return fn;
    };
    const authorizer = new WebSocketLambdaAuthorizer('Authorizer', handler(WEBSOCKET_AUTHORIZER), {
      identitySource: [`route.request.header.${WEBSOCKET_IDENTITY_SOURCE}`],
    });
    const routes: Record<string, apigwv2.WebSocketRoute> = {};
    for (const route of WEBSOCKET_ROUTES) {
      const isConnect = route.routeKey === '$connect';
      const created = this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.handler}Integration`, handler(route.handler)),
        returnResponse: route.returnResponse,
        ...(isConnect ? { authorizer } : {}),
      });
      if (!isConnect) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'API Gateway runs WebSocket authorizers on $connect only; this route receives messages of a connection ' +
            'that the $connect authorizer admitted, and the handler reads its tenant from that authorizer context.',
        });
      }
      routes[route.routeKey] = created;
    }
    return routes;
  }

  /** A regional custom domain (TLS 1.2) with the stage mapped under its own name. */
  private addCustomDomain(customDomain: CustomDomain, stageName: string): apigwv2.DomainName {
    const domainName = new apigwv2.DomainName(this, 'DomainName', {
      domainName: customDomain.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    // wss://<domain>/<stage>, like the execute-api URL. The management API stays on execute-api (stage.callbackUrl).
    new apigwv2.ApiMapping(this, 'ApiMapping', {
      api: this.api,
      domainName,
      stage: this.stage,
      apiMappingKey: stageName,
    });
    return domainName;
  }
}
