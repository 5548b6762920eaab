/**
 * The SDK's errors. Two kinds a caller must tell apart:
 * - `RefusedError`: the API answered and said no (a 4xx other than 429 and 409 `RequestInProgress`). Sending the
 *   same request again will get the same answer; fix the request, the credentials or the agent's Desktop.
 * - `UnavailableError`: the service could not take the request in time (5xx, 429, 409 `RequestInProgress`, the
 *   network, the deadline). Safe to send again later with the same `idempotencyKey`.
 * Messages name the operation, the status and the code, never a password, token or Basic header.
 */
import type { ErrorCode, PopStatusResult } from './types';

export interface ErrorFields {
  /** The API's `Error.Code`, or the SDK's own (ClientErrorCode) when the API gave none. */
  readonly code: ErrorCode | (string & {});
  /** The HTTP status, when the API answered. */
  readonly status?: number;
  /** The API's `Error.Message`. */
  readonly apiMessage?: string;
  /** `Error.Details`: each bad field, the way the caller wrote it. */
  readonly details?: readonly string[];
  /** The API's RequestId, the same as in its logs. */
  readonly requestId?: string;
  /** `METHOD /path` of the operation. */
  readonly operation: string;
  /** Requests sent for this call, retries included. */
  readonly attempts?: number;
  /** The `Idempotency-Key` of a pop: send the pop again with it. */
  readonly idempotencyKey?: string;
  readonly cause?: unknown;
}

/** Base of every error the SDK throws. */
export class RemotePopError extends Error {
  readonly code: ErrorFields['code'];
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;
  readonly details: readonly string[];
  readonly requestId: string | undefined;
  readonly operation: string;
  readonly attempts: number;
  readonly idempotencyKey: string | undefined;

  constructor(fields: ErrorFields) {
    super(describe(fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.code = fields.code;
    this.status = fields.status;
    this.apiMessage = fields.apiMessage;
    this.details = fields.details ?? [];
    this.requestId = fields.requestId;
    this.operation = fields.operation;
    this.attempts = fields.attempts ?? 1;
    this.idempotencyKey = fields.idempotencyKey;
  }

  /** The same error with the number of attempts and the idempotency key of the whole call. */
  withCall(attempts: number, idempotencyKey: string | undefined): this {
    const Kind = this.constructor as new (fields: ErrorFields) => this;
    return new Kind({ ...this.fields(), attempts, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) });
  }

  private fields(): ErrorFields {
    return {
      code: this.code,
      operation: this.operation,
      details: this.details,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.apiMessage === undefined ? {} : { apiMessage: this.apiMessage }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    };
  }
}

/** The API refused the request; the same request will be refused again. */
export class RefusedError extends RemotePopError {}

/** The service could not take the request in time; safe to retry later with the same Idempotency-Key. */
export class UnavailableError extends RemotePopError {}

/** `waitFor(id, { until: 'Opened' })`: the pop reached a final status other than Opened (`pop` holds it). */
export class PopNotOpenedError extends RemotePopError {
  readonly pop: PopStatusResult;
  constructor(pop: PopStatusResult, operation: string) {
    super({
      code: pop.Reason ?? pop.Status,
      operation,
      apiMessage: `The pop ended ${pop.Status}${pop.Reason ? ` (${pop.Reason})` : ''}.`,
    });
    this.pop = pop;
  }
}

/** `waitFor` ran out of time; `lastStatus` is what the pop was at then (undefined if it was never read). */
export class WaitTimeoutError extends RemotePopError {
  readonly lastStatus: PopStatusResult | undefined;
  constructor(lastStatus: PopStatusResult | undefined, operation: string, timeoutMs: number) {
    super({ code: 'WaitTimeout', operation, apiMessage: `No final status within ${timeoutMs} ms.` });
    this.lastStatus = lastStatus;
  }
}

/** The webhook's signature, timestamp or headers do not hold (verifyWebhook). */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

function describe(fields: ErrorFields): string {
  const status = fields.status === undefined ? '' : ` ${fields.status}`;
  const message = fields.apiMessage ? `: ${fields.apiMessage}` : '';
  const details = fields.details?.length ? ` (${fields.details.join('; ')})` : '';
  const request = fields.requestId ? ` [RequestId ${fields.requestId}]` : '';
  return `${fields.operation} failed with${status} ${fields.code}${message}${details}${request}`;
}
