/** API Gateway's own answers (GATEWAY_ANSWERS) written in the contract's envelope, as the deployed Gateway Responses. */
import { STATUS_CODES, type ServerResponse } from 'http';
import { gatewayAnswerBody, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';

/** `x-amzn-ErrorType` API Gateway sets on its own answers. */
const ERROR_TYPES: Record<string, string> = {
  UNAUTHORIZED: 'UnauthorizedException',
  ACCESS_DENIED: 'AccessDeniedException',
  INVALID_API_KEY: 'ForbiddenException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  THROTTLED: 'TooManyRequestsException',
  BAD_REQUEST_BODY: 'BadRequestException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
  AUTHORIZER_FAILURE: 'AuthorizerFailureException',
  DEFAULT_4XX: 'BadRequestException',
  DEFAULT_5XX: 'InternalServerErrorException',
};

function answerHeaders(answer: GatewayAnswer, requestId: string, body: string): Record<string, string | number> {
  return {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': ERROR_TYPES[answer.type] ?? 'Exception',
    ...(answer.headers ?? {}),
  };
}

export function sendGatewayAnswer(
  res: ServerResponse,
  answer: GatewayAnswer,
  requestId: string,
  statusCode: number = answer.statusCode ?? 500,
): void {
  const body = gatewayAnswerBody(answer, requestId);
  res.writeHead(statusCode, answerHeaders(answer, requestId, body));
  res.end(body);
}

/** The same answer as raw HTTP/1.1 bytes, for a socket Node could not parse a request from (no ServerResponse). */
export function rawGatewayAnswer(answer: GatewayAnswer, requestId: string, statusCode: number): string {
  const body = gatewayAnswerBody(answer, requestId);
  const headers = { ...answerHeaders(answer, requestId, body), Connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`, ...lines, '', body].join('\r\n');
}
