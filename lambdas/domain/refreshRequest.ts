import { parseJsonBody } from './requestBody';
import { MAX_SMALL_BODY_BYTES, REFRESH_REQUEST_SCHEMA, type RefreshRequest } from './schemas';

export function parseRefreshRequest(body: string | null, isBase64Encoded: boolean): RefreshRequest {
  return parseJsonBody<RefreshRequest>(body, isBase64Encoded, REFRESH_REQUEST_SCHEMA, MAX_SMALL_BODY_BYTES);
}
