const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An AWS service or the network between us failed (DynamoDB unreachable or throttling after the SDK's retries):
 * the caller gets a retryable 503, not a 500 that reads like a bug.
 */
export function isDependencyFailure(error: unknown): boolean {
  const candidate = error as
    { $metadata?: unknown; name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (!candidate) return false;
  if (candidate.$metadata !== undefined) return true;
  if (candidate.name === 'TimeoutError' || candidate.name === 'AbortError') return true;
  return NETWORK_ERRORS.has(candidate.code ?? '') || NETWORK_ERRORS.has(candidate.cause?.code ?? '');
}
