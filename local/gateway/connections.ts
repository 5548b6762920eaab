/** Open WebSocket connections by id: what the `@connections` API and the message routing see. */
import type { WebSocket } from 'ws';

export type AuthorizerContext = Record<string, string | number | boolean>;

export interface LocalConnection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | null;
  readonly authorizer: AuthorizerContext;
  /** Messages of one connection run one after another, in order. */
  queue: Promise<void>;
  /** Dropped by the test hook: no close frame and no `$disconnect`, like a lost network. */
  dropped: boolean;
  /** Set when the server closes it (DeleteConnection, shutdown): the `$disconnect` status and reason. */
  serverClose?: { code: number; reason: string };
}

export class ConnectionRegistry {
  private readonly byId = new Map<string, LocalConnection>();

  add(connection: LocalConnection): void {
    this.byId.set(connection.id, connection);
  }

  /** Open connections only: a closing or closed one is gone for the management API. */
  get(id: string): LocalConnection | undefined {
    const connection = this.byId.get(id);
    return connection && connection.socket.readyState === connection.socket.OPEN ? connection : undefined;
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  all(): LocalConnection[] {
    return [...this.byId.values()];
  }
}
