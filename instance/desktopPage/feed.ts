/**
 * What the Desktop page shows live: every pop that reached each agent with its outcome, and an event whenever an
 * agent, the plugin or the connection changes. In memory only; the last POPS_PER_AGENT pops of each agent are kept.
 * instance/instance.ts calls `popHandled` after each pop and `agentChanged` / `instanceChanged` after each action.
 */
import type { AckDecision } from '../connector';
import type { AgentView, DesktopPop } from '../desktop';

export const POPS_PER_AGENT = 200;

export interface PopEntry {
  /** The feed's sequence number: the order the pops reached the Desktop. */
  readonly seq: number;
  readonly at: string;
  readonly popId: string;
  readonly username: string;
  readonly campaign: string;
  readonly reference?: string;
  readonly status: AckDecision['status'];
  readonly reason?: string;
}

export interface InstanceState {
  readonly instance: string;
  readonly connected: boolean;
  readonly pluginEnabled: boolean;
  readonly licence: unknown;
}

export type FeedEvent =
  | { readonly type: 'pop'; readonly pop: PopEntry; readonly agent: AgentView | null; readonly popsHandled: number }
  | { readonly type: 'agent'; readonly username: string; readonly agent: AgentView | null }
  | { readonly type: 'instance'; readonly instance: InstanceState };

export interface DesktopSnapshot {
  readonly instance: InstanceState;
  readonly popsHandled: number;
  readonly agents: readonly AgentView[];
  /** Agent -> its last pops, newest first. */
  readonly pops: Readonly<Record<string, readonly PopEntry[]>>;
}

/** Where the feed reads the Desktop's current state. */
export interface DesktopSource {
  instance(): InstanceState;
  agent(username: string): AgentView | undefined;
  agents(): AgentView[];
}

export class DesktopFeed {
  private readonly pops = new Map<string, PopEntry[]>();
  private readonly listeners = new Set<(event: FeedEvent) => void>();
  private popsHandled = 0;
  private lastInstance = '';
  private watcher?: ReturnType<typeof setInterval>;

  constructor(
    private readonly source: DesktopSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  popHandled(pop: DesktopPop, decision: AckDecision): void {
    this.popsHandled += 1;
    const entry: PopEntry = {
      seq: this.popsHandled,
      at: this.now().toISOString(),
      popId: pop.PopId,
      username: pop.Username,
      campaign: pop.Campaign,
      ...(pop.Reference ? { reference: pop.Reference } : {}),
      status: decision.status,
      ...(decision.reason ? { reason: decision.reason } : {}),
    };
    const list = this.pops.get(pop.Username) ?? [];
    list.unshift(entry);
    if (list.length > POPS_PER_AGENT) list.length = POPS_PER_AGENT;
    this.pops.set(pop.Username, list);
    this.emit({
      type: 'pop',
      pop: entry,
      agent: this.source.agent(pop.Username) ?? null,
      popsHandled: this.popsHandled,
    });
  }

  agentChanged(username: string): void {
    this.emit({ type: 'agent', username, agent: this.source.agent(username) ?? null });
  }

  /** Emits the instance's state when it differs from the last one sent. */
  instanceChanged(): void {
    const instance = this.source.instance();
    const key = JSON.stringify(instance);
    if (key === this.lastInstance) return;
    this.lastInstance = key;
    this.emit({ type: 'instance', instance });
  }

  /** The connection has no event of its own to hook: its state is compared every `intervalMs`. */
  watchConnection(intervalMs = 500): void {
    this.watcher ??= setInterval(() => this.instanceChanged(), intervalMs);
    this.watcher.unref();
  }

  snapshot(): DesktopSnapshot {
    return {
      instance: this.source.instance(),
      popsHandled: this.popsHandled,
      agents: this.source.agents(),
      pops: Object.fromEntries(this.pops),
    };
  }

  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.listeners.clear();
  }

  /** A page that fails must never fail the pop being acknowledged: a listener's error is dropped. */
  private emit(event: FeedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
