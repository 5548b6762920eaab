/**
 * The ports of the local stack's own services, which no webhook may call: the loopback allowance for webhook URLs
 * (plain http to 127.0.0.1, lambdas/webhooks/urlGuard.ts) is for a caller's own receiver, never the gateway, its
 * `@connections` endpoint (which checks no signature locally), the emulators, the queues or the pages
 * (test/e2e/reliability/README.md). The handlers' settings get the list before the services listen (some on any free port); it is filled in
 * place once they all do, before the stack says it is ready, so every webhook registered or sent sees it whole.
 */
const lists = new WeakMap<object, number[]>();

/** The list for one stack start (keyed by its options object), empty until `fillOwnPorts`. */
export function ownPortsOf(stack: object): number[] {
  let list = lists.get(stack);
  if (!list) lists.set(stack, (list = []));
  return list;
}

/** Adds the port of every URL the stack serves. */
export function fillOwnPorts(stack: object, urls: readonly unknown[]): void {
  const list = ownPortsOf(stack);
  for (const port of portsOf(urls)) if (!list.includes(port)) list.push(port);
}

export function portsOf(urls: readonly unknown[]): number[] {
  const ports = new Set<number>();
  for (const url of urls) {
    if (typeof url !== 'string' || !/^[a-z]+:\/\//i.test(url)) continue;
    const parsed = new URL(url);
    const port = Number(parsed.port || (parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 443 : 80));
    if (port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}
