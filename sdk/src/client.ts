/**
 * `RemotePopClient`: the API as a caller should use it (docs/http-api.md). One token per client
 * (tokens.ts), every call with a deadline and the retry rule of retry.ts, typed errors (errors.ts).
 *
 * Adding an endpoint is one method: a `CallSpec` (method, path, headers, body) handed to `this.transport.call` with
 * `this.tokens`, its result type from types.ts (held to contract/ by sdk/typecheck/contractTypes.ts).
 */
import { PopNotOpenedError, UnavailableError, WaitTimeoutError } from './errors';
import type { FetchFunction } from './http';
import { DEFAULT_RETRY, sleep, type RetryOptions } from './retry';
import { PasswordTokenSource, ProvidedTokenSource, type TokenProvider } from './tokens';
import { Transport, type CallOptions, type Logger, type TokenSource } from './transport';
import {
  FINAL_POP_STATUSES,
  type CampaignSummary,
  type CampaignsResult,
  type EventsPage,
  type PopEvent,
  type PopAccepted,
  type PopRequest,
  type PopStatusResult,
  type PopValidation,
  type Webhook,
  type WebhookCreated,
  type WebhookRequest,
  type WebhookSecretRotated,
  type WebhooksResult,
} from './types';

interface CommonOptions {
  /** The REST API's base URL, the stack output `RestApiUrl`, e.g. `http://127.0.0.1:3000/v1` locally. */
  readonly baseUrl: string;
  /** For custom agents, proxies or tests. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  readonly retry?: RetryOptions;
  /** Renew the token this long before it expires. @default 60 s, or half the lifetime of a shorter-lived token */
  readonly refreshBeforeExpiryMs?: number;
  /** Receives one line per sign-in, refresh and retry; lines never hold a header, a body or a token. */
  readonly logger?: Logger;
  /**
   * Ends everything the client does once it aborts: every call with its retries and waits, and the shared sign-in and
   * refresh, which no one call's signal stops (other calls wait on them). For a program that is done with the client.
   */
  readonly signal?: AbortSignal;
}

/** Cloud API credentials (an api-caller user) ... */
export interface PasswordCredentials extends CommonOptions {
  readonly username: string;
  readonly password: string;
}

/** ... or a provider of IdTokens of your own. */
export interface TokenProviderCredentials extends CommonOptions {
  readonly tokenProvider: TokenProvider;
}

export type RemotePopClientOptions = PasswordCredentials | TokenProviderCredentials;

export interface PopOptions extends CallOptions {
  /** Sent on every attempt of this pop. @default a random UUID per `pop()` call */
  readonly idempotencyKey?: string;
}

export interface WaitOptions {
  /** `'Opened'`: resolve when the Workflow opened, throw PopNotOpenedError if the pop ended otherwise. `'final'`: resolve with whatever final status. */
  readonly until: 'Opened' | 'final';
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** First pause between reads; grows by half up to 2 s. @default 200 */
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
  /** Called with each status read that differs from the one before (the CLI's `watch`). */
  readonly onStatus?: (pop: PopStatusResult) => void;
}

export interface EventsOptions extends CallOptions {
  /** Start after this cursor: the `cursor` of the last event you handled. @default from the oldest event kept */
  readonly after?: string;
  /** Events per request, 1 to 100. @default 100 */
  readonly limit?: number;
  /** After catching up, keep reading every `pollIntervalMs` until `signal` aborts (or you leave the loop). @default false */
  readonly follow?: boolean;
  /** @default 1000 */
  readonly pollIntervalMs?: number;
}

/** One event of the feed and the cursor to persist once you handled it (resume with `events({ after: cursor })`). */
export interface FeedItem {
  readonly event: PopEvent;
  readonly cursor: string;
}

const MAX_POLL_INTERVAL_MS = 2_000;

export class RemotePopClient {
  private readonly transport: Transport;
  private readonly tokens: TokenSource;

  constructor(options: RemotePopClientOptions) {
    const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    this.transport = new Transport({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: fetchFn,
      retry,
      logger: options.logger,
      signal: options.signal,
    });
    this.tokens =
      'tokenProvider' in options
        ? new ProvidedTokenSource(options.tokenProvider)
        : new PasswordTokenSource(this.transport, {
            username: options.username,
            password: options.password,
            refreshBeforeExpiryMs: options.refreshBeforeExpiryMs,
            authCall: { deadlineMs: retry.deadlineMs },
          });
  }

  /**
   * Pops the campaign's Workflow onto the agent's Desktop; resolves with the PopId. Retries what may be retried (429,
   * 409 RequestInProgress, 5xx, the network) with the same Idempotency-Key until the deadline; a refusal (any other
   * 4xx) rejects at once with RefusedError, an outage past the deadline with UnavailableError.
   */
  async pop(request: PopRequest, options: PopOptions = {}): Promise<string> {
    return (await this.popAccepted(request, options)).PopId;
  }

  /**
   * As `pop`, resolving with the answer itself: `Status: 'Sent'`, or `'Held'` when the agent is on no Desktop and the
   * request gives `HoldSeconds` (delivered when the agent appears, or Expired; `waitFor` follows it either way).
   */
  async popAccepted(request: PopRequest, options: PopOptions = {}): Promise<PopAccepted> {
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    const spec = {
      method: 'POST',
      path: '/pop',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      idempotencyKey,
    } as const;
    return this.transport.call<PopAccepted>(spec, options, this.tokens);
  }

  /**
   * Dry run of `pop`: what a pop with this body would do now (checks passed, instances it would reach), or the very
   * RefusedError `pop` would give (CampaignNotFound, CampaignInactive, ScriptDataRejected, ReferenceRequired, NoLicence,
   * AgentNotOnDesktop). Claims, stores and pushes nothing.
   */
  validate(request: PopRequest, options: CallOptions = {}): Promise<PopValidation> {
    const spec = {
      method: 'POST',
      path: '/pop/validate',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    } as const;
    return this.transport.call<PopValidation>(spec, options, this.tokens);
  }

  /**
   * Your tenant's campaigns as its connected Scripting instances publish them, each with its ScriptData JSON Schema:
   * every page of `GET /campaigns` read in turn (see `campaignsPage` to read one page at a time).
   */
  async campaigns(options: CallOptions = {}): Promise<CampaignSummary[]> {
    const all: CampaignSummary[] = [];
    let next: string | undefined;
    do {
      const page = await this.campaignsPage({ ...(next === undefined ? {} : { next }) }, options);
      all.push(...page.Campaigns);
      next = page.Next;
    } while (next !== undefined);
    return all;
  }

  /** One page of `GET /campaigns`: pass the previous page's `Next` as `next`; `Next` is absent on the last page. */
  campaignsPage(page: { next?: string; limit?: number } = {}, options: CallOptions = {}): Promise<CampaignsResult> {
    const query = new URLSearchParams();
    if (page.next !== undefined) query.set('next', page.next);
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    const search = query.toString();
    const spec = { method: 'GET', path: `/campaigns${search ? `?${search}` : ''}`, headers: {} } as const;
    return this.transport.call<CampaignsResult>(spec, options, this.tokens);
  }

  /** One campaign; RefusedError `CampaignNotFound` when no connected instance publishes it. */
  campaign(name: string, options: CallOptions = {}): Promise<CampaignSummary> {
    const spec = { method: 'GET', path: `/campaigns/${encodeURIComponent(name)}`, headers: {} } as const;
    return this.transport.call<CampaignSummary>(spec, options, this.tokens);
  }

  /** The pop's status; RefusedError `PopNotFound` for an unknown PopId or another tenant's. */
  getPop(popId: string, options: CallOptions = {}): Promise<PopStatusResult> {
    const spec = { method: 'GET', path: `/pops/${encodeURIComponent(popId)}`, headers: {} } as const;
    return this.transport.call<PopStatusResult>(spec, options, this.tokens);
  }

  /**
   * Recalls a pop that has not opened: resolves with it, `Status: 'Recalled'`; its instances drop it and its record
   * claim is free at once. RefusedError `AlreadyOpened` (too late), `AlreadyFinal` (it ended Unchanged or Failed),
   * `PopNotFound`. Retried like any call: a repeat of a recall answers the same.
   */
  recall(popId: string, options: CallOptions = {}): Promise<PopStatusResult> {
    const spec = { method: 'DELETE', path: `/pops/${encodeURIComponent(popId)}`, headers: {} } as const;
    return this.transport.call<PopStatusResult>(spec, options, this.tokens);
  }

  /**
   * Registers a webhook endpoint for your tenant's pop events; resolves with it and its signing secret (`whsec_...`),
   * shown this once. RefusedError `WebhookUrlRefused` (not https, or a private, loopback, link-local or metadata
   * address), `TooManyWebhooks`. The API takes no Idempotency-Key here: a create retried after an outage may register
   * the endpoint twice (`listWebhooks` shows it; delete the extra one).
   */
  createWebhook(request: WebhookRequest, options: CallOptions = {}): Promise<WebhookCreated> {
    const spec = {
      method: 'POST',
      path: '/webhooks',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    } as const;
    return this.transport.call<WebhookCreated>(spec, options, this.tokens);
  }

  /** Your tenant's webhook endpoints, with their delivery state (never their secrets). */
  async listWebhooks(options: CallOptions = {}): Promise<Webhook[]> {
    const spec = { method: 'GET', path: '/webhooks', headers: {} } as const;
    return (await this.transport.call<WebhooksResult>(spec, options, this.tokens)).Webhooks;
  }

  /** One endpoint: state, last delivery, last error, failing since; RefusedError `WebhookNotFound`. */
  getWebhook(webhookId: string, options: CallOptions = {}): Promise<Webhook> {
    return this.webhookCall<Webhook>('GET', webhookId, '', options);
  }

  /** Deletes an endpoint: nothing more is delivered to it. RefusedError `WebhookNotFound`. */
  async deleteWebhook(webhookId: string, options: CallOptions = {}): Promise<void> {
    await this.webhookCall<unknown>('DELETE', webhookId, '', options);
  }

  /** A new signing secret, shown once; the old one keeps signing alongside until `PreviousSecretExpiresAt` (24 h). */
  rotateWebhookSecret(webhookId: string, options: CallOptions = {}): Promise<WebhookSecretRotated> {
    return this.webhookCall<WebhookSecretRotated>('POST', webhookId, '/rotate-secret', options);
  }

  /** Queues a `webhook.test` delivery to the endpoint; its outcome shows in `getWebhook`. */
  testWebhook(webhookId: string, options: CallOptions = {}): Promise<{ WebhookId: string; MessageId: string }> {
    return this.webhookCall<{ WebhookId: string; MessageId: string }>('POST', webhookId, '/test', options);
  }

  private webhookCall<T>(method: 'GET' | 'POST' | 'DELETE', id: string, suffix: string, options: CallOptions) {
    const spec = { method, path: `/webhooks/${encodeURIComponent(id)}${suffix}`, headers: {} } as const;
    return this.transport.call<T>(spec, options, this.tokens);
  }

  /**
   * Your tenant's pop events, oldest first, page after page (`GET /events`), each with the cursor to persist once
   * handled; resume after a restart with `{ after: lastCursor }` and nothing is missed or repeated. Ends when caught up,
   * unless `follow`. Each page is one call with the client's retry rule and deadline.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<FeedItem, void, undefined> {
    let cursor = options.after;
    for (;;) {
      const query = new URLSearchParams({
        ...(cursor !== undefined ? { after: cursor } : {}),
        ...(options.limit !== undefined ? { limit: String(options.limit) } : {}),
      });
      const search = query.toString();
      const spec = { method: 'GET', path: `/events${search === '' ? '' : `?${search}`}`, headers: {} } as const;
      const page = await this.transport.call<EventsPage>(spec, options, this.tokens);
      for (const event of page.Events) yield { event, cursor: event.Cursor };
      cursor = page.Cursor;
      // Only an empty page says "caught up": a short one may be a page cut at an event still settling.
      if (page.Events.length > 0) continue;
      if (!options.follow) return;
      await sleep(options.pollIntervalMs ?? 1_000, options.signal ?? new AbortController().signal);
    }
  }

  /** Reads the pop's status until it is final (or Opened); WaitTimeoutError after `timeoutMs`. */
  async waitFor(popId: string, options: WaitOptions): Promise<PopStatusResult> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const signal = options.signal ?? new AbortController().signal;
    let interval = options.pollIntervalMs ?? 200;
    let last: PopStatusResult | undefined;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WaitTimeoutError(last, `waitFor ${popId}`, timeoutMs);
      const read = await this.readUntil(popId, signal, deadline, last, timeoutMs);
      if (read.Status !== last?.Status) options.onStatus?.(read);
      last = read;
      if (FINAL_POP_STATUSES.includes(last.Status)) {
        if (options.until === 'Opened' && last.Status !== 'Opened')
          throw new PopNotOpenedError(last, `waitFor ${popId}`);
        return last;
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), signal);
      interval = Math.min(MAX_POLL_INTERVAL_MS, interval * 1.5);
    }
  }

  /** One read inside waitFor's time: a read cut short by that time is the wait's timeout, not an outage. */
  private async readUntil(
    popId: string,
    signal: AbortSignal,
    deadline: number,
    last: PopStatusResult | undefined,
    timeoutMs: number,
  ): Promise<PopStatusResult> {
    try {
      return await this.getPop(popId, { signal, deadlineMs: deadline - Date.now() });
    } catch (error) {
      if (error instanceof UnavailableError && Date.now() >= deadline - 5)
        throw new WaitTimeoutError(last, `waitFor ${popId}`, timeoutMs);
      throw error;
    }
  }
}
