/**
 * A refusal the caller should see: an HTTP status, a machine-readable code and a message for a person.
 * Domain code throws these; one function at the edge (restResponse.ts) turns them into the envelope.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const apiErrors = {
  invalidRequest: (details: string[], message = 'The request is not valid.') =>
    new ApiError(400, 'InvalidRequest', message, details),
  forbidden: (message = 'This identity may not call this operation.') => new ApiError(403, 'Forbidden', message),
  serviceUnavailable: (message = 'The service is temporarily unavailable; retry with back-off.') =>
    new ApiError(503, 'ServiceUnavailable', message, [], { 'Retry-After': '1' }),
};
