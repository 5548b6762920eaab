/**
 * The REST proxy event API Gateway builds for a Lambda proxy integration (the fields it copies are listed in
 * local/README.md, "What the local gateway does like API Gateway").
 */
import type { IncomingMessage } from 'http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RestRoute } from '../../lambdas/apiRoutes';
import { forwardingHeaders, headerMaps, queryMaps, sourceIpOf } from './headers';
import { newMessageId, requestTime } from './ids';
import { LOCAL_ACCOUNT_ID } from './lambdaRuntime';

export interface RestEventInput {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly stage: string;
  /** Path after the stage, raw. */
  readonly path: string;
  readonly route: RestRoute;
  readonly pathParameters: Record<string, string> | null;
  readonly body: Buffer;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  readonly apiId: string;
  readonly port: number;
  readonly claims?: Record<string, string>;
}

export function restProxyEvent(input: RestEventInput): APIGatewayProxyEvent {
  const { req, url } = input;
  const { headers, multiValueHeaders } = headerMaps(req, forwardingHeaders(req, input.port));
  const host = req.headers.host ?? `127.0.0.1:${input.port}`;
  const sourceIp = sourceIpOf(req);
  const userAgent = req.headers['user-agent'] ?? null;
  return {
    resource: input.route.resource,
    path: input.path,
    httpMethod: input.route.method,
    headers,
    multiValueHeaders,
    ...queryMaps(url),
    pathParameters: input.pathParameters,
    stageVariables: null,
    // REST_BINARY_MEDIA_TYPES is */*: every body arrives as its bytes, base64, never decoded as text here.
    body: input.body.length === 0 ? null : input.body.toString('base64'),
    isBase64Encoded: input.body.length > 0,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: input.apiId,
      authorizer: input.claims ? { claims: input.claims } : null,
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      extendedRequestId: newMessageId(),
      httpMethod: input.route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${input.stage}${input.path}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: input.requestId,
      requestTime: requestTime(input.requestTimeEpoch),
      requestTimeEpoch: input.requestTimeEpoch,
      resourceId:
        input.route.resource
          .replace(/[^a-z0-9]/gi, '')
          .slice(0, 6)
          .toLowerCase() || 'root',
      resourcePath: input.route.resource,
      stage: input.stage,
    },
  } as APIGatewayProxyEvent;
}
