/**
 * The connection a Scripting vendor embeds: it keeps one live WebSocket to the Remote Pop API and never drops a pop.
 *
 * - Tokens: Basic auth once, then the RefreshToken renews the IdToken at 80% of its lifetime; a failed refresh falls
 *   back to Basic auth. The IdToken is only checked at the handshake, so a fresh one is always ready for a reconnect.
 * - Liveness: `{"Action":"Ping"}` every heartbeat (well inside API Gateway's 10-minute idle timeout); no `Pong` within
 *   the pong timeout drops the socket, which then reconnects.
 * - Reconnect: jittered exponential back-off after any close; the Desktop list is sent first on every new socket, in
 *   parts of one frame each when it does not fit one (`desktopMessages`).
 * - Rotation: before API Gateway's 2-hour cap, a new socket is opened and sent the Desktop list, and only then is the
 *   old one closed (after an overlap), so pops routed to either socket in the switch are still received.
 * - Pops: `Ack Delivered` at once, then the handler's decision as `Ack Opened|Unchanged|Failed(+Reason)`. A PopId seen
 *   before is acknowledged again with the first decision and not handed to the Desktop twice. Acks that cannot be sent
 *   (no open socket) wait and go out on the next socket.
 * - Recall (`{"Type":"Recall","PopId"}`, DELETE /pops/{PopId}): a pop still waiting to open (`openDelayMs`) is dropped
 *   and acknowledged `Recalled`; a PopId not received yet is remembered as Recalled, so it never opens; a pop already
 *   handled stays as it is (the API keeps it Recalled whatever the instance opened, lambdas/pops/status.ts).
 *
 * Events: `connected` ({connection, reason}), `disconnected` ({connection, code, reason}), `reconnecting`
 * ({delayMs, attempt}), `tokens` ({kind: 'basic'|'refresh', expiresIn}), `pong` ({connection}),
 * `pop` (pop, decision), `duplicate` (popId), `recalled` (popId, 'dropped' | 'beforeArrival'), `serverError` ({Code, Message}).
 */
import { EventEmitter } from 'events';
import WebSocket from 'ws';
import validatePopMessage from '../contract/generated/PopMessage';
import { problemsOf } from '../contract/problems';
import type { ScriptValue } from '../contract/rest';
import type { AckStatus, FailureReason } from '../contract/statuses';
import { MAX_DESKTOP_PARTS, MAX_WEBSOCKET_FRAME_BYTES } from '../contract/limits';
import type {
  AckMessage,
  DesktopMessage,
  InstanceMessage,
  LoginMessage,
  LogoutMessage,
  PopMessage,
} from '../contract/webSocket';
import { AuthClient, AuthError, type Tokens } from './auth';
import type { Logger } from './log';

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type WebSocketFactory = (url: string, options: { headers: Record<string, string> }) => WebSocket;

export const defaultWebSocketFactory: WebSocketFactory = (url, options) =>
  new WebSocket(url, { headers: options.headers, handshakeTimeout: 10_000 });

export type { AckStatus };

/** What the Desktop made of a pop, as acknowledged to the server (`Delivered` is the connector's own). */
export interface AckDecision {
  readonly status: Exclude<AckStatus, 'Delivered'>;
  readonly reason?: FailureReason;
}

export interface ConnectorOptions {
  readonly webSocketUrl: string;
  readonly instanceName: string;
  readonly auth: Pick<AuthClient, 'authenticate' | 'refresh'>;
  /** The agents now on the Desktop, read at every (re)connect. */
  readonly desktopAgents: () => readonly string[];
  /** Sent right after the Desktop list on every socket: the campaign catalogue and licence states (instance/catalogue.ts). */
  readonly afterDesktop?: () => readonly InstanceMessage[];
  /** Runs the Desktop model on one pop; called once per PopId. */
  readonly onPop: (pop: PopMessage) => AckDecision;
  /**
   * How long a pop waits between its Delivered ack and the Desktop: the window in which a Recall drops it. 0 (the
   * default) opens it at once, in the same turn, as the product does. @default 0
   */
  readonly openDelayMs?: number;
  /**
   * Instead of `openDelayMs`: the pop waits until this promise settles, then opens unless recalled meanwhile. For tests
   * that decide when a pop opens (test/e2e/support/instanceHarness.ts `PopGate`) instead of racing a timer.
   */
  readonly openGate?: (pop: PopMessage) => Promise<void>;
  readonly logger: Logger;
  readonly heartbeatMs: number;
  /** @default min(heartbeatMs, 30 s) */
  readonly pongTimeoutMs?: number;
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
  /** Open a replacement socket after this long (API Gateway closes connections at 2 hours). */
  readonly maxConnectionMs: number;
  /** How long the old socket stays open after its replacement has sent the Desktop list. */
  readonly overlapMs: number;
  /** Refresh the IdToken at this fraction of its lifetime. @default 0.8 */
  readonly refreshAt?: number;
  /** A socket open this long resets the back-off. @default 10 s */
  readonly stableMs?: number;
  readonly webSocketFactory?: WebSocketFactory;
  readonly clock?: Clock;
  /** [0, 1), for the back-off jitter. */
  readonly random?: () => number;
}

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  openedAt: number;
  retiring: boolean;
  pongTimer?: unknown;
  retireTimer?: unknown;
}

/** How many handled PopIds are remembered for de-duplication. */
const REMEMBERED_POPS = 5000;
/**
 * The final Acks (Opened, Failed, Recalled) of the pops handled this long ago or less are sent again on every new
 * connection, at most RESENT_ACKS of them: an Ack sent on a socket that then died, or taken by a gateway that stopped
 * or crashed before handling it, would otherwise leave a pop this instance opened at `Sent`. The API applies a
 * repeated Ack once (lambdas/pops/status.ts: the same status again changes nothing). Ten minutes is ten default claim
 * windows: a crashed stack has that long to come back before the server gives such a pop up (`Unconfirmed`).
 */
const ACK_RESEND_MS = 10 * 60_000;
const RESENT_ACKS = 1000;
const HANDSHAKE_STATUS = /Unexpected server response: (\d{3})/;

export class Connector extends EventEmitter {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly factory: WebSocketFactory;
  private readonly log: Logger;
  private readonly url: string;
  private readonly pongTimeoutMs: number;

  private stopped = true;
  private connecting = false;
  private nextId = 1;
  private attempt = 0;
  private tokens?: Tokens;
  private tokenRequest?: Promise<Tokens>;
  private active?: Connection;
  private pending?: Connection;
  private readonly connections = new Set<Connection>();
  private readonly handled = new Map<string, AckDecision>();
  /** When each final Ack was decided, oldest first: what a new connection sends again (ACK_RESEND_MS). */
  private readonly decidedAt = new Map<string, number>();
  /** Pops delivered and waiting to open (`openDelayMs`, `openGate`), by PopId, with what cancels the wait. */
  private readonly waiting = new Map<string, () => void>();
  private readonly unsentAcks: AckMessage[] = [];
  /** Each Desktop list sent in parts gets the next Sequence, so the server never applies an older one after it. */
  private desktopSequence = 1;
  private reconnectTimer?: unknown;
  private refreshTimer?: unknown;
  private heartbeatTimer?: unknown;
  private rotationTimer?: unknown;

  constructor(private readonly options: ConnectorOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.factory = options.webSocketFactory ?? defaultWebSocketFactory;
    this.log = options.logger;
    this.pongTimeoutMs = options.pongTimeoutMs ?? Math.min(options.heartbeatMs, 30_000);
    const url = new URL(options.webSocketUrl);
    url.searchParams.set('instance', options.instanceName);
    this.url = url.toString();
  }

  /** True while a socket is open and has been sent the Desktop list. */
  get isConnected(): boolean {
    return this.active !== undefined && this.active.ws.readyState === WebSocket.OPEN;
  }

  get isStarted(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect('start');
  }

  /** Resolves once connected (at once if already). */
  whenConnected(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve) => this.once('connected', () => resolve()));
  }

  login(username: string): void {
    this.sendActive({ Action: 'Login', Username: username });
  }

  logout(username: string): void {
    this.sendActive({ Action: 'Logout', Username: username });
  }

  /** Closes every socket with 1000 and cancels every timer; nothing reconnects afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.reconnectTimer, this.refreshTimer, this.heartbeatTimer, this.rotationTimer]) {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    for (const cancel of this.waiting.values()) cancel();
    this.waiting.clear();
    const closing = [...this.connections].map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === WebSocket.CLOSED) return resolve();
          conn.ws.once('close', () => resolve());
          if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(1000, 'instance stopping');
          else conn.ws.terminate();
        }),
    );
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    for (const conn of this.connections) conn.ws.terminate();
  }

  // ---- connecting ---------------------------------------------------------------------------------------------------

  private async connect(reason: 'start' | 'reconnect' | 'rotation'): Promise<void> {
    if (this.stopped || this.connecting || this.pending) return;
    this.connecting = true;
    let idToken: string;
    try {
      idToken = (await this.validTokens()).idToken;
    } catch (error) {
      this.connecting = false;
      this.log.error('cannot get a token; will retry', {
        code: (error as AuthError).code,
        error: (error as Error).message,
      });
      this.scheduleRetry();
      return;
    }
    this.connecting = false;
    if (this.stopped) return;

    const ws = this.factory(this.url, { headers: { Authorization: `Bearer ${idToken}` } });
    const conn: Connection = { id: this.nextId++, ws, openedAt: 0, retiring: false };
    this.pending = conn;
    this.connections.add(conn);
    this.log.debug('connecting', { connection: conn.id, reason, url: this.url });
    ws.on('open', () => this.onOpen(conn, reason));
    ws.on('message', (data) => this.onMessage(conn, data));
    ws.on('error', (error) => this.onError(conn, error));
    ws.on('close', (code, why) => this.onClose(conn, code, why.toString()));
  }

  private onOpen(conn: Connection, reason: string): void {
    if (this.stopped) {
      conn.ws.close(1000, 'instance stopping');
      return;
    }
    this.pending = undefined;
    conn.openedAt = this.clock.now();
    const agents = [...this.options.desktopAgents()];
    // Every part before anything else on this socket; a list too long for one frame goes in parts (desktopMessages).
    for (const message of desktopMessages(agents, this.desktopSequence++)) this.send(conn, message);
    for (const message of this.options.afterDesktop?.() ?? []) this.send(conn, message);
    const previous = this.active;
    this.active = conn;
    this.resendRecentAcks(conn);
    this.flushAcks();
    if (previous) this.retire(previous);
    this.schedule('rotation', this.options.maxConnectionMs, () => {
      this.log.info('renewing the connection before the 2-hour cap', { connection: conn.id });
      void this.connect('rotation');
    });
    this.scheduleHeartbeat();
    // A long Desktop is counted, not listed: 5,000 names would make one line of 150 KB or more.
    this.log.info('connected', {
      connection: conn.id,
      instance: this.options.instanceName,
      ...(agents.length <= 20 ? { agents } : { agentCount: agents.length }),
      reason,
    });
    this.emit('connected', { connection: conn.id, reason });
  }

  /** The old socket stays open for the overlap so that a pop already routed to it still arrives. */
  private retire(conn: Connection): void {
    conn.retiring = true;
    if (conn.pongTimer !== undefined) this.clock.clearTimeout(conn.pongTimer);
    conn.retireTimer = this.clock.setTimeout(() => {
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(1000, 'replaced by a new connection');
    }, this.options.overlapMs);
  }

  private onError(conn: Connection, error: Error): void {
    const status = HANDSHAKE_STATUS.exec(error.message)?.[1];
    if (status === '401' || status === '403') {
      // The token may have been revoked or the user disabled: the next attempt starts again from Basic auth.
      this.tokens = undefined;
      this.log.error('the WebSocket handshake was refused', {
        connection: conn.id,
        status: Number(status),
        hint: status === '403' ? 'is the user in the "scripting-instances" group?' : undefined,
      });
      return;
    }
    this.log.warn('WebSocket error', { connection: conn.id, error: error.message });
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    this.connections.delete(conn);
    if (conn.pongTimer !== undefined) this.clock.clearTimeout(conn.pongTimer);
    if (conn.retireTimer !== undefined) this.clock.clearTimeout(conn.retireTimer);
    if (conn === this.pending) {
      this.pending = undefined;
      if (this.stopped) return;
      this.log.warn('connection attempt failed', { connection: conn.id, code });
      this.scheduleRetry();
      return;
    }
    if (conn.retiring) {
      this.log.debug('previous connection closed', { connection: conn.id, code });
      return;
    }
    if (conn !== this.active) return;
    this.active = undefined;
    if (this.rotationTimer !== undefined) this.clock.clearTimeout(this.rotationTimer);
    if (this.stopped) {
      this.log.info('disconnected', { connection: conn.id, code });
      return;
    }
    this.log.warn('disconnected', { connection: conn.id, code, reason: reason || undefined });
    this.emit('disconnected', { connection: conn.id, code, reason });
    if (this.clock.now() - conn.openedAt >= (this.options.stableMs ?? 10_000)) this.attempt = 0;
    this.scheduleRetry();
  }

  /** Jittered exponential back-off: a delay drawn from [base/2, base), base = min(maxMs, minMs * 2^attempt). */
  backoffDelay(attempt: number): number {
    const { minMs, maxMs } = this.options.reconnect;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.reconnectTimer !== undefined) return;
    const delayMs = this.backoffDelay(this.attempt);
    this.attempt += 1;
    const reason = this.active ? 'rotation' : 'reconnect';
    this.log.info(reason === 'rotation' ? 'retrying the connection renewal' : 'reconnecting', {
      inMs: delayMs,
      attempt: this.attempt,
    });
    this.emit('reconnecting', { delayMs, attempt: this.attempt });
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect(reason);
    }, delayMs);
  }

  // ---- tokens -------------------------------------------------------------------------------------------------------

  /** A token good for a handshake now: the current one, a refreshed one, or a new one from Basic auth. */
  private async validTokens(): Promise<Tokens> {
    const tokens = this.tokens;
    if (tokens) {
      const margin = Math.min(30_000, tokens.expiresIn * 200);
      if (tokens.expiresAt - this.clock.now() > margin) return tokens;
    }
    return this.renewTokens();
  }

  /** One token request at a time: refresh when there is a RefreshToken, Basic auth otherwise or if refresh fails. */
  private renewTokens(): Promise<Tokens> {
    if (!this.tokenRequest) {
      this.tokenRequest = this.requestTokens().finally(() => {
        this.tokenRequest = undefined;
      });
    }
    return this.tokenRequest;
  }

  private async requestTokens(): Promise<Tokens> {
    let tokens: Tokens | undefined;
    let kind: 'refresh' | 'basic' = 'refresh';
    if (this.tokens) {
      try {
        tokens = await this.options.auth.refresh(this.tokens.refreshToken);
      } catch (error) {
        this.log.warn('token refresh failed; falling back to Basic auth', { code: (error as AuthError).code });
      }
    }
    if (!tokens) {
      kind = 'basic';
      tokens = await this.options.auth.authenticate();
    }
    this.tokens = tokens;
    this.log.info(kind === 'basic' ? 'authenticated' : 'IdToken refreshed', { expiresInSeconds: tokens.expiresIn });
    this.emit('tokens', { kind, expiresIn: tokens.expiresIn });
    this.scheduleRefresh(tokens);
    return tokens;
  }

  private scheduleRefresh(tokens: Tokens): void {
    const lifetimeMs = tokens.expiresIn * 1000;
    const at = tokens.expiresAt - lifetimeMs * (1 - (this.options.refreshAt ?? 0.8));
    this.schedule('refresh', Math.max(0, at - this.clock.now()), () => this.refreshInBackground(0));
  }

  private refreshInBackground(failures: number): void {
    this.renewTokens().catch((error: Error) => {
      this.log.error('cannot renew the IdToken; will retry', { code: (error as AuthError).code, error: error.message });
      this.schedule('refresh', this.backoffDelay(failures), () => this.refreshInBackground(failures + 1));
    });
  }

  // ---- heartbeat ----------------------------------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    this.schedule('heartbeat', this.options.heartbeatMs, () => {
      const conn = this.active;
      if (conn && conn.ws.readyState === WebSocket.OPEN) {
        this.send(conn, { Action: 'Ping' });
        if (conn.pongTimer === undefined) {
          conn.pongTimer = this.clock.setTimeout(() => {
            conn.pongTimer = undefined;
            this.log.warn('no Pong from the server; dropping the connection', {
              connection: conn.id,
              waitedMs: this.pongTimeoutMs,
            });
            conn.ws.terminate();
          }, this.pongTimeoutMs);
        }
      }
      if (!this.stopped) this.scheduleHeartbeat();
    });
  }

  private schedule(which: 'rotation' | 'refresh' | 'heartbeat', ms: number, callback: () => void): void {
    const key = `${which}Timer` as 'rotationTimer' | 'refreshTimer' | 'heartbeatTimer';
    if (this[key] !== undefined) this.clock.clearTimeout(this[key]);
    if (this.stopped) return;
    this[key] = this.clock.setTimeout(() => {
      this[key] = undefined;
      callback();
    }, ms);
  }

  // ---- messages -----------------------------------------------------------------------------------------------------

  private onMessage(conn: Connection, data: WebSocket.RawData): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      this.log.warn('ignored a message that is not JSON', { connection: conn.id });
      return;
    }
    switch (message.Type) {
      case 'Pong':
        if (conn.pongTimer !== undefined) this.clock.clearTimeout(conn.pongTimer);
        conn.pongTimer = undefined;
        this.log.debug('pong', { connection: conn.id });
        this.emit('pong', { connection: conn.id });
        return;
      case 'Pop':
        this.onPop(conn, message);
        return;
      case 'Recall':
        this.onRecall(conn, message);
        return;
      case 'Error':
        this.log.warn('the server reported an error', {
          connection: conn.id,
          code: message.Code,
          message: message.Message,
        });
        this.emit('serverError', { Code: message.Code, Message: message.Message });
        return;
      default:
        this.log.debug('ignored a message', { connection: conn.id, type: message.Type });
    }
  }

  private onPop(conn: Connection, message: Record<string, unknown>): void {
    const popId = message.PopId;
    if (typeof popId !== 'string' || popId === '') {
      this.log.warn('ignored a pop without a PopId', { connection: conn.id });
      return;
    }
    this.ack(conn, { Action: 'Ack', PopId: popId, Status: 'Delivered' });
    const earlier = this.handled.get(popId);
    if (earlier) {
      this.log.info('pop received again: acknowledged, not opened twice', { PopId: popId, status: earlier.status });
      this.ack(conn, ackMessage(popId, earlier));
      this.emit('duplicate', popId);
      return;
    }
    // Pushed again while it waits to open: Delivered again, opened once.
    if (this.waiting.has(popId)) return;
    const pop = this.readPop(conn, popId, message);
    const delayMs = this.options.openDelayMs ?? 0;
    if (this.options.openGate) return this.openThroughGate(conn, pop, this.options.openGate);
    if (delayMs <= 0) return this.openPop(conn, pop);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(popId);
      this.openPop(conn, pop);
    }, delayMs);
    this.waiting.set(popId, () => this.clock.clearTimeout(timer));
  }

  /** Opens the pop once `gate` settles, unless a Recall (or stop) cancelled the wait first. */
  private openThroughGate(conn: Connection, pop: PopMessage, gate: (pop: PopMessage) => Promise<void>): void {
    let cancelled = false;
    this.waiting.set(pop.PopId, () => (cancelled = true));
    void gate(pop).then(
      () => {
        if (cancelled) return;
        this.waiting.delete(pop.PopId);
        this.openPop(conn, pop);
      },
      () => undefined, // a gate that fails never opens the pop
    );
  }

  private openPop(conn: Connection, pop: PopMessage): void {
    let decision: AckDecision;
    try {
      decision = this.options.onPop(pop);
    } catch (error) {
      this.log.error('the Desktop failed on a pop', {
        PopId: pop.PopId,
        agent: pop.Username,
        error: (error as Error).message,
      });
      decision = { status: 'Failed', reason: 'Undeliverable' };
    }
    this.remember(pop.PopId, decision);
    this.ack(conn, ackMessage(pop.PopId, decision));
    this.emit('pop', pop, decision);
  }

  private remember(popId: string, decision: AckDecision): void {
    this.handled.set(popId, decision);
    if (this.handled.size > REMEMBERED_POPS) this.handled.delete(this.handled.keys().next().value as string);
    this.decidedAt.delete(popId);
    this.decidedAt.set(popId, this.clock.now());
    if (this.decidedAt.size > RESENT_ACKS) this.decidedAt.delete(this.decidedAt.keys().next().value as string);
  }

  /** Sends the final Acks of the pops decided within ACK_RESEND_MS again (those never sent go with flushAcks). */
  private resendRecentAcks(conn: Connection): void {
    const since = this.clock.now() - ACK_RESEND_MS;
    const unsent = new Set(this.unsentAcks.map((ack) => ack.PopId));
    for (const [popId, at] of this.decidedAt) {
      if (at < since) {
        this.decidedAt.delete(popId);
        continue;
      }
      const decision = this.handled.get(popId);
      if (decision && !unsent.has(popId)) this.send(conn, ackMessage(popId, decision));
    }
  }

  /** A Recall: drop the pop if it has not opened and acknowledge Recalled; an opened (or failed) pop stays as it is. */
  private onRecall(conn: Connection, message: Record<string, unknown>): void {
    const popId = message.PopId;
    if (typeof popId !== 'string' || popId === '') {
      this.log.warn('ignored a recall without a PopId', { connection: conn.id });
      return;
    }
    const earlier = this.handled.get(popId);
    if (earlier) {
      this.log.info('recall of a pop already handled: nothing to drop', { PopId: popId, status: earlier.status });
      return;
    }
    const cancel = this.waiting.get(popId);
    cancel?.();
    this.waiting.delete(popId);
    this.remember(popId, { status: 'Recalled' });
    this.ack(conn, { Action: 'Ack', PopId: popId, Status: 'Recalled' });
    const how = cancel !== undefined ? 'dropped' : 'beforeArrival';
    this.log.info(
      how === 'dropped' ? 'pop recalled before it opened: dropped' : 'pop recalled before it arrived: it will not open',
      { PopId: popId },
    );
    this.emit('recalled', popId, how);
  }

  /** A pop as the contract defines it; one that does not match is still read as far as it goes (and logged). */
  private readPop(conn: Connection, popId: string, message: Record<string, unknown>): PopMessage {
    const problems = problemsOf(validatePopMessage, message);
    if (problems.length === 0) return message as PopMessage;
    this.log.warn('a pop that does not match the contract; reading what it has', {
      connection: conn.id,
      PopId: popId,
      problems,
    });
    return toPopMessage(popId, message);
  }

  private ack(conn: Connection, message: AckMessage): void {
    const target = conn.ws.readyState === WebSocket.OPEN ? conn : this.active;
    if (target && target.ws.readyState === WebSocket.OPEN && this.send(target, message)) return;
    this.unsentAcks.push(message);
  }

  private flushAcks(): void {
    const conn = this.active;
    while (conn && this.unsentAcks.length > 0 && this.send(conn, this.unsentAcks[0])) this.unsentAcks.shift();
  }

  /** Sends on the open socket, if any (a change while disconnected goes out after the next Desktop list anyway). */
  publish(messages: readonly InstanceMessage[]): void {
    if (!this.active || this.active.ws.readyState !== WebSocket.OPEN) return;
    for (const message of messages) this.send(this.active, message);
  }

  private sendActive(message: LoginMessage | LogoutMessage): void {
    if (this.active && this.active.ws.readyState === WebSocket.OPEN) this.send(this.active, message);
    // Otherwise nothing is lost: the Desktop list sent on the next connection carries the change.
  }

  private send(conn: Connection, message: InstanceMessage): boolean {
    try {
      conn.ws.send(JSON.stringify(message));
      return true;
    } catch (error) {
      this.log.warn('send failed', { connection: conn.id, error: (error as Error).message });
      return false;
    }
  }
}

/**
 * The Desktop list as messages that each fit one WebSocket frame (API Gateway refuses frames over 32 KB, measured in
 * bytes of the serialised message): one message when it fits, as always, otherwise `Parts` messages sharing
 * `sequence`. Each part is sized with Part and Parts at their widest, so the numbers filled in last cannot push it over.
 */
export function desktopMessages(
  agents: readonly string[],
  sequence: number,
  frameBytes = MAX_WEBSOCKET_FRAME_BYTES,
): DesktopMessage[] {
  const whole: DesktopMessage = { Action: 'Desktop', Agents: [...agents] };
  if (Buffer.byteLength(JSON.stringify(whole), 'utf8') <= frameBytes) return [whole];
  const widest = {
    Action: 'Desktop',
    Agents: [] as string[],
    Sequence: sequence,
    Part: MAX_DESKTOP_PARTS,
    Parts: MAX_DESKTOP_PARTS,
  };
  const emptyBytes = Buffer.byteLength(JSON.stringify(widest), 'utf8');
  const groups: string[][] = [[]];
  let bytes = emptyBytes;
  for (const agent of agents) {
    const nameBytes = Buffer.byteLength(JSON.stringify(agent), 'utf8');
    let group = groups[groups.length - 1];
    if (group.length > 0 && bytes + 1 + nameBytes > frameBytes) {
      group = [];
      groups.push(group);
      bytes = emptyBytes;
    }
    bytes += nameBytes + (group.length > 0 ? 1 : 0); // the comma before every name but the first
    group.push(agent);
  }
  return groups.map((group, index) => ({
    Action: 'Desktop',
    Agents: group,
    Sequence: sequence,
    Part: index + 1,
    Parts: groups.length,
  }));
}

function ackMessage(popId: string, decision: AckDecision): AckMessage {
  return decision.reason
    ? { Action: 'Ack', PopId: popId, Status: decision.status, Reason: decision.reason }
    : { Action: 'Ack', PopId: popId, Status: decision.status };
}

/** Tolerant reading of a pushed pop: a missing Username or Campaign fails in the Desktop model with its Reason. */
function toPopMessage(popId: string, message: Record<string, unknown>): PopMessage {
  const scriptData: Record<string, ScriptValue> = Object.create(null) as Record<string, ScriptValue>;
  if (typeof message.ScriptData === 'object' && message.ScriptData !== null && !Array.isArray(message.ScriptData)) {
    for (const [key, value] of Object.entries(message.ScriptData)) {
      scriptData[key] =
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
          ? value
          : JSON.stringify(value);
    }
  }
  return {
    Type: 'Pop',
    PopId: popId,
    Username: typeof message.Username === 'string' ? message.Username : '',
    Campaign: typeof message.Campaign === 'string' ? message.Campaign : '',
    Reference: typeof message.Reference === 'string' ? message.Reference : undefined,
    ScriptData: scriptData,
    SentAt: typeof message.SentAt === 'string' ? message.SentAt : '',
  };
}
