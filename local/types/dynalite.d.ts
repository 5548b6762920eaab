// dynalite ships no types; only what the local stack uses.
declare module 'dynalite' {
  import type { Server } from 'http';

  interface DynaliteOptions {
    /** Time tables stay in CREATING state, default 500 ms. */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    /** LevelDB folder; in memory when absent. */
    path?: string;
    verbose?: boolean;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
