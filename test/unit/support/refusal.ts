import { ERROR_STATUS } from '../../../contract/errors';
import { refusalHeaders } from '../../../lambdas/edge/restAnswer';
import { isRefused, type Refused } from '../../../lambdas/shared/outcome';

/** A refusal as the caller meets it: the domain's outcome with the status and headers the edge gives it. */
export interface RefusalView extends Refused {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

/** The refusal a call answered with; fails the test if it answered anything else or threw. */
export async function refusal(call: (() => unknown) | Promise<unknown>): Promise<RefusalView> {
  const outcome = await (typeof call === 'function' ? call() : call);
  if (!isRefused(outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome)?.slice(0, 200)}`);
  return { ...outcome, statusCode: ERROR_STATUS[outcome.code], headers: refusalHeaders(outcome) };
}
