import { ApiError, apiErrors } from '../shared/apiError';
import { validateJson, type JsonSchema } from './jsonSchema';

/**
 * Decode and parse a JSON request body once, at the edge, against its schema. The result is trusted afterwards.
 * Too large -> 413 PayloadTooLarge; not UTF-8 or not JSON -> 400 InvalidRequest; schema problems -> 400 with Details.
 */
export function parseJsonBody<T>(
  body: string | null | undefined,
  isBase64Encoded: boolean | undefined,
  schema: JsonSchema,
  maxBytes: number,
): T {
  if (body === null || body === undefined || body === '') {
    throw apiErrors.invalidRequest(['The body: is required'], 'The request body must be a JSON object.');
  }
  let bytes: Buffer;
  bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > maxBytes) {
    throw new ApiError(413, 'PayloadTooLarge', `The request body must be at most ${maxBytes} bytes.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw apiErrors.invalidRequest(['The body: is not valid UTF-8'], 'The request body must be UTF-8 JSON.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw apiErrors.invalidRequest(['The body: is not valid JSON'], 'The request body must be a JSON object.');
  }
  const problems = validateJson(schema, value);
  if (problems.length > 0) throw apiErrors.invalidRequest(problems);
  return value as T;
}
