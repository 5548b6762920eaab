import type { CompiledValidator } from '../../contract/problems';
import { problemsOf } from '../../contract/problems';
import { refuse, refusals, type Refused } from '../shared/outcome';

export type Parsed<T> = { readonly kind: 'parsed'; readonly value: T } | Refused;

/**
 * Decode and parse a JSON request body once, at the edge, with the contract's compiled validator; the value is
 * trusted afterwards. Too large -> PayloadTooLarge; not UTF-8 or not JSON -> InvalidRequest; schema problems ->
 * InvalidRequest with one Detail per problem.
 */
export function parseJsonBody<T>(
  body: string | null | undefined,
  isBase64Encoded: boolean | undefined,
  validator: CompiledValidator,
  maxBytes: number,
): Parsed<T> {
  if (body === null || body === undefined || body === '') {
    return refusals.invalidRequest(['The body: is required'], 'The request body must be a JSON object.');
  }
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > maxBytes) return refuse('PayloadTooLarge', `The request body must be at most ${maxBytes} bytes.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refusals.invalidRequest(['The body: is not valid UTF-8'], 'The request body must be UTF-8 JSON.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refusals.invalidRequest(['The body: is not valid JSON'], 'The request body must be a JSON object.');
  }
  const problems = problemsOf(validator, value);
  if (problems.length > 0) return refusals.invalidRequest(problems);
  return { kind: 'parsed', value: value as T };
}
