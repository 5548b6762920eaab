import { ApiError } from '../../../lambdas/shared/apiError';

/** The ApiError a call refused with; fails the test if it succeeded or threw anything else. */
export async function refusal(call: (() => unknown) | Promise<unknown>): Promise<ApiError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
