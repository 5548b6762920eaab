/** API Gateway's own answers (GATEWAY_ANSWERS) written in the contract's envelope, as the deployed Gateway Responses. */
import type { ServerResponse } from 'http';
import { gatewayAnswerBody, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';

/** `x-amzn-ErrorType` API Gateway sets on its own answers. */
const ERROR_TYPES: Record<string, string> = {
  UNAUTHORIZED: 'UnauthorizedException',
  EXPIRED_TOKEN: 'UnauthorizedException',
  INVALID_SIGNATURE: 'UnauthorizedException',
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  THROTTLED: 'TooManyRequestsException',
  BAD_REQUEST_BODY: 'BadRequestException',
  DEFAULT_4XX: 'BadRequestException',
  DEFAULT_5XX: 'InternalServerErrorException',
};

export function sendGatewayAnswer(
  res: ServerResponse,
  answer: GatewayAnswer,
  requestId: string,
  statusCode: number = answer.statusCode ?? 500,
): void {
  const body = gatewayAnswerBody(answer, requestId);
  res.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': ERROR_TYPES[answer.type] ?? 'Exception',
    ...(answer.headers ?? {}),
  });
  res.end(body);
}
