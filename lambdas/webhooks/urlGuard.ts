/**
 * Which webhook URLs may be called (SSRF): https only (plain http to loopback only where the setting allows it, the
 * local stack), no userinfo, and no host that is or resolves to a private, loopback, link-local, carrier-grade NAT,
 * multicast, reserved or metadata address. The WHATWG URL parser normalises the disguises first (decimal, octal and
 * hex IPv4, `[::ffff:10.0.0.1]`), every IPv6 form that carries an IPv4 address is judged by that address too
 * (`embeddedIpv4`), and the same address check runs again on every connection (delivery.ts), so a
 * name that resolves elsewhere later (DNS rebinding) is refused then.
 */
import { BlockList, isIP } from 'node:net';

export interface UrlRules {
  /** Plain http, and loopback addresses, allowed (the local stack only). */
  readonly allowLoopbackHttp: boolean;
  /**
   * Ports refused whatever the host: the local stack's own services (its gateway, `@connections`, emulators, queues,
   * pages), so the loopback allowance reaches only a caller's own receiver, never the stack itself.
   */
  readonly deniedPorts?: readonly number[];
}

/** The rules of a stack's settings. */
export const urlRulesOf = (settings: {
  readonly webhookAllowLoopbackHttp?: boolean;
  readonly webhookDeniedPorts?: readonly number[];
}): UrlRules => ({
  allowLoopbackHttp: settings.webhookAllowLoopbackHttp === true,
  ...(settings.webhookDeniedPorts ? { deniedPorts: settings.webhookDeniedPorts } : {}),
});

/** Every address a name resolves to. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export type UrlCheck =
  { readonly kind: 'allowed'; readonly url: URL } | { readonly kind: 'refused'; readonly reason: string };

const refused = (reason: string): UrlCheck => ({ kind: 'refused', reason });

const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: readonly [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];
const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * Every IPv4 address an IPv6 address may carry, whatever the notation: mapped `::ffff:a.b.c.d`, translated (SIIT)
 * `::ffff:0:a.b.c.d`, compatible `::a.b.c.d`, RFC 6052 `64:ff9b::a.b.c.d` and the local-use `64:ff9b:1::/48`, 6to4
 * `2002:AABB:CCDD::`, Teredo (the client's address inverted in the last 32 bits) and ISATAP (`…:0:5efe:a.b.c.d` or
 * `…:200:5efe:a.b.c.d` under any prefix). `::` and `::1` carry none: they are IPv6's own unspecified and loopback.
 */
export function embeddedIpv4(address: string): string[] {
  const w = expandIpv6(address);
  if (!w) return [];
  const last = v4(w[6]!, w[7]!);
  const zeros = (from: number, to: number) => w.slice(from, to).every((word) => word === 0);
  const found: string[] = [];
  if (zeros(0, 5) && w[5] === 0xffff) found.push(last);
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) found.push(last);
  if (zeros(0, 6) && (w[6] !== 0 || w[7]! > 1)) found.push(last);
  if (w[0] === 0x64 && w[1] === 0xff9b) found.push(last);
  if (w[0] === 0x2002) found.push(v4(w[1]!, w[2]!));
  if (w[0] === 0x2001 && w[1] === 0) found.push(v4(w[2]!, w[3]!), v4(w[6]! ^ 0xffff, w[7]! ^ 0xffff));
  if ((w[4] === 0 || w[4] === 0x200) && w[5] === 0x5efe) found.push(last);
  return found;
}

function expandIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((w) => parseInt(w, 16));
}

const BLOCKED_WHY = 'a private, loopback, link-local, reserved or metadata address';

/** Why an address may not be called, or undefined when it may; the message names the address as sent. */
export function addressProblem(address: string, rules: UrlRules): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (rules.allowLoopbackHttp && loopback.check(address, type)) return undefined;
  if (blocked.check(address, type)) return `${address} is ${BLOCKED_WHY}`;
  if (family === 4) return undefined;
  for (const inner of embeddedIpv4(address)) {
    if (rules.allowLoopbackHttp && loopback.check(inner, 'ipv4')) continue;
    if (blocked.check(inner, 'ipv4')) return `${address} carries IPv4 ${inner}, ${BLOCKED_WHY}`;
  }
  return undefined;
}

/** The URL's form alone: scheme, userinfo, port, literal addresses. Names are checked by `checkWebhookUrl`. */
export function checkUrlForm(raw: string, rules: UrlRules): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused('Url: is not an absolute URL');
  }
  if (url.username !== '' || url.password !== '') return refused('Url: must not carry a user name or password');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (rules.deniedPorts?.includes(port)) return refused(`Url: port ${port} is one of the local stack's own services`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:') {
    const isLoopback =
      isIP(host) !== 0 ? loopback.check(host, isIP(host) === 4 ? 'ipv4' : 'ipv6') : host === 'localhost';
    if (!rules.allowLoopbackHttp || !isLoopback) return refused('Url: must be https');
  } else if (url.protocol !== 'https:') return refused('Url: must be https');
  if (isIP(host) !== 0) {
    const problem = addressProblem(host, rules);
    if (problem) return refused(`Url: ${problem}`);
  } else if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || !host.includes('.')) {
    if (!(rules.allowLoopbackHttp && host === 'localhost')) return refused('Url: the host must be a public DNS name');
  }
  return { kind: 'allowed', url };
}

/** The URL's form, then every address its host resolves to: all must be allowed. */
export async function checkWebhookUrl(raw: string, rules: UrlRules, resolve: Resolver): Promise<UrlCheck> {
  const form = checkUrlForm(raw, rules);
  if (form.kind === 'refused') return form;
  const host = form.url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return form;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    return refused(`Url: ${host} does not resolve`);
  }
  if (addresses.length === 0) return refused(`Url: ${host} does not resolve`);
  for (const address of addresses) {
    const problem = addressProblem(address, rules);
    if (problem) return refused(`Url: ${host} resolves to ${problem}`);
  }
  return form;
}
