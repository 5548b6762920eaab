/**
 * A small least-recently-used cache standing in for `mnemonist/lru-cache` in the Lambda bundles
 * (lib/lambdaBundling.ts aliases it). Its only user is the DynamoDB client's endpoint-discovery cache, which every
 * client constructs but which never runs unless endpoint discovery is switched on (it is not, here); mnemonist and
 * its dependency cost about 7 KB of every DynamoDB function's bundle. It implements what that cache calls
 * (`get`, `set`, `has`, `peek`, `clear`, `size`), with mnemonist's semantics: `get` and `set` make a key the most
 * recently used, `peek` and `has` do not, and a full cache evicts its least recently used key.
 * test/unit/lambdas/lruCache.test.ts checks it against mnemonist's own on random sequences of calls.
 */
export default class LRUCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new Error('LRUCache: capacity should be positive number.');
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    if (this.entries.has(key)) this.entries.delete(key);
    else if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    return this;
  }

  clear(): void {
    this.entries.clear();
  }
}
