/**
 * One rule for a Reference, everywhere: one that is empty once trimmed is no Reference. The Desktop reads it so
 * (instance/desktop.ts creates a CSAUTO record), so the checks, the record claim, the deduplication of retries and
 * the pushed message must too; applied once, where the request is parsed (popHandler.ts, validateHandler.ts).
 */
export function withoutBlankReference<T extends { readonly Reference?: string }>(request: T): T {
  if (request.Reference === undefined || request.Reference.trim() !== '') return request;
  const { Reference: _blank, ...rest } = request;
  return rest as T;
}
