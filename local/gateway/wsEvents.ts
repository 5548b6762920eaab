/**
 * WebSocket API events as API Gateway builds them (the fields it copies are listed in
 * local/README.md, "What the local gateway does like API Gateway").
 */
import type { IncomingMessage } from 'http';
import { forwardingHeaders, headerMaps, queryMaps, sourceIpOf, targetUrl } from './headers';
import { newMessageId, newRequestId, requestTime } from './ids';
import type { AuthorizerContext, LocalConnection } from './connections';

export interface WsApi {
  readonly stage: string;
  readonly apiId: string;
  readonly region: string;
  readonly accountId: string;
  readonly domainName: string;
}

const identity = (sourceIp: string, userAgent: string | null) => ({
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp,
  user: null,
  userAgent,
  userArn: null,
});

/** The `$connect` event (without `authorizer`), also the base of the REQUEST authorizer's input. */
export function connectEvent(api: WsApi, req: IncomingMessage, connectionId: string, port: number) {
  const now = Date.now();
  const url = targetUrl(req);
  const query = queryMaps(url);
  const { headers, multiValueHeaders } = headerMaps(req, forwardingHeaders(req, port));
  return {
    headers,
    multiValueHeaders,
    ...(query.queryStringParameters ? query : {}),
    isBase64Encoded: false,
    requestContext: {
      routeKey: '$connect',
      disconnectStatusCode: null,
      messageId: null,
      eventType: 'CONNECT',
      extendedRequestId: newMessageId(),
      requestTime: requestTime(now),
      messageDirection: 'IN',
      disconnectReason: null,
      stage: api.stage,
      connectedAt: now,
      requestTimeEpoch: now,
      identity: identity(sourceIpOf(req), req.headers['user-agent'] ?? null),
      requestId: newRequestId(),
      domainName: api.domainName,
      connectionId,
      apiId: api.apiId,
    },
  };
}

export type ConnectEvent = ReturnType<typeof connectEvent>;

export function methodArn(api: WsApi): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/$connect`;
}

export function authorizerEvent(api: WsApi, event: ConnectEvent) {
  return { ...event, type: 'REQUEST' as const, methodArn: methodArn(api) };
}

export function withAuthorizer(event: ConnectEvent, authorizer: AuthorizerContext) {
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

/** The requestContext fields of every event of an open connection (after `$connect`). */
function connectionContext(api: WsApi, connection: LocalConnection, now: number) {
  return {
    extendedRequestId: newMessageId(),
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: identity(connection.sourceIp, connection.userAgent),
    requestId: newRequestId(),
    domainName: api.domainName,
    connectionId: connection.id,
    apiId: api.apiId,
    authorizer: connection.authorizer,
  };
}

export function messageEvent(
  api: WsApi,
  connection: LocalConnection,
  routeKey: string,
  data: Buffer,
  isBinary: boolean,
) {
  const now = Date.now();
  return {
    requestContext: {
      routeKey,
      messageId: newMessageId(),
      eventType: 'MESSAGE',
      ...connectionContext(api, connection, now),
    },
    body: isBinary ? data.toString('base64') : data.toString('utf8'),
    isBase64Encoded: isBinary,
  };
}

export function disconnectEvent(api: WsApi, connection: LocalConnection, code: number, reason: string) {
  const now = Date.now();
  return {
    headers: { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
    multiValueHeaders: { Host: [api.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
    requestContext: {
      routeKey: '$disconnect',
      disconnectStatusCode: code,
      messageId: null,
      eventType: 'DISCONNECT',
      disconnectReason: reason,
      ...connectionContext(api, connection, now),
    },
    isBase64Encoded: false,
  };
}

/** Route selection `$request.body.Action`: anything not JSON, or without a matching route, goes to `$default`. */
export function selectRoute(data: Buffer, isBinary: boolean, routeKeys: ReadonlySet<string>): string {
  if (isBinary) return '$default';
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const action = (parsed as Record<string, unknown>).Action;
      if (typeof action === 'string' && !action.startsWith('$') && routeKeys.has(action)) return action;
    }
  } catch {
    // not JSON
  }
  return '$default';
}
