/**
 * API Gateway REST's header limit: 10,240 bytes for the request line and the header values together. Over it the
 * request reaches no route, authorizer or handler. Node's own parser limit (`maxHeaderSize`) is set far above it, so
 * that the count here decides; what the parser still refuses (a header section over PARSER_LIMIT_BYTES, a malformed
 * request) is answered from `clientError` in the same envelope instead of Node's bare 431 / 400.
 * Status and wording: local/README.md ("Known differences from AWS").
 */
import type { IncomingMessage, Server } from 'http';
import type { Duplex } from 'stream';
import { GATEWAY_ANSWERS, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';
import { rawGatewayAnswer } from './answers';
import { newRequestId } from './ids';
import type { GatewayLog } from './log';

export const HEADER_LIMIT_BYTES = 10_240;
/** Names, `: ` and line ends count for Node's parser but not for API Gateway's limit, hence the margin. */
export const PARSER_LIMIT_BYTES = 64 * 1024;

/** Not a Gateway Response type: API Gateway refuses these before any (DEFAULT_4XX gives the envelope locally). */
export const HEADERS_TOO_LARGE: GatewayAnswer = {
  type: 'DEFAULT_4XX',
  statusCode: 400,
  code: 'RequestHeadersTooLarge',
  message: `HTTP header is larger than ${HEADER_LIMIT_BYTES} bytes: the request line and header values may total ${HEADER_LIMIT_BYTES} bytes.`,
};

/** Bytes as API Gateway counts them: the request line plus every header value (Node keeps header bytes as latin1). */
export function headerBytes(req: Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'>): number {
  let bytes = Buffer.byteLength(`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`, 'latin1');
  for (let i = 1; i < req.rawHeaders.length; i += 2) bytes += Buffer.byteLength(req.rawHeaders[i]!, 'latin1');
  return bytes;
}

/**
 * Node stopped waiting for a request it had started to read (`headersTimeout`, `requestTimeout`): seen only on a
 * machine so busy that the gateway read a whole request late. The request was not refused for what it said, so not 400.
 */
export const REQUEST_TIMED_OUT: GatewayAnswer = {
  type: 'DEFAULT_4XX',
  statusCode: 408,
  code: 'RequestTimeout',
  message: 'The request was not received in time: send it again.',
};

/** The answer to a request Node's parser gave up on: too large, timed out, or anything else (DEFAULT_4XX 400). */
function parserRefusal(code: string | undefined): GatewayAnswer & { statusCode: number } {
  if (code === 'HPE_HEADER_OVERFLOW') return { ...HEADERS_TOO_LARGE, statusCode: 400 };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { ...REQUEST_TIMED_OUT, statusCode: 408 };
  return { ...GATEWAY_ANSWERS.default4xx, statusCode: 400 };
}

/** Node's parser refusals, in the envelope (parserRefusal) instead of Node's bare 431 / 408 / 400. */
export function answerParserErrors(server: Server, log: GatewayLog): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const answer = parserRefusal(error.code);
    const requestId = newRequestId();
    log.info(`REST (unparsed request) -> ${answer.statusCode} (${error.code ?? 'parse error'}) requestId ${requestId}`);
    socket.end(rawGatewayAnswer(answer, requestId, answer.statusCode));
  });
}
