/** How a failed step is told: the stack not there at all (exit 3), or an answer that was wrong (exit 1). */
import { RefusedError, UnavailableError } from '../../sdk/src/index';

/** A connection that never opened, or a name that did not resolve: the stack is not there. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

const NETWORK_CODES = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ETIMEDOUT/;

export function isUnreachable(error: unknown): boolean {
  if (error instanceof UnreachableError) return true;
  if (error instanceof UnavailableError) return error.code === 'NetworkError';
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  return NETWORK_CODES.test(`${code ?? ''} ${message ?? ''}`) || name === 'TimeoutError';
}

export function describeError(error: unknown): string {
  if (error instanceof RefusedError || error instanceof UnavailableError) {
    return `${error.operation} answered ${error.status ?? 'nothing'} ${error.code}: ${error.apiMessage ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
