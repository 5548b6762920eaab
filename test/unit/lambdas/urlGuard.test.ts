/**
 * The webhook SSRF guard (lambdas/webhooks/urlGuard.ts) against every IPv6 notation that carries an IPv4 address
 * (issue 25, items 7 and 8): a blocked IPv4 range is refused whatever the embedding, at registration (the URL's form)
 * and at connect time (`addressProblem`, run by the guarded lookup), and the message names what the caller sent.
 */
import { postSigned } from '../../../lambdas/webhooks/delivery';
import { addressProblem, checkUrlForm, type UrlRules } from '../../../lambdas/webhooks/urlGuard';
import { portsOf } from '../../../local/ownPorts';

const AWS: UrlRules = { allowLoopbackHttp: false };
const LOCAL: UrlRules = { allowLoopbackHttp: true };

// Each carries 127.0.0.1, 10.0.0.1 or 169.254.169.254 (the metadata address).
const EMBEDDINGS = [
  ['::ffff:127.0.0.1', 'IPv4-mapped'],
  ['::ffff:0:127.0.0.1', 'IPv4-translated (SIIT)'],
  ['::ffff:0:a00:1', 'IPv4-translated, hex words'],
  ['0:0:0:0:ffff:0:a9fe:a9fe', 'IPv4-translated, full form'],
  ['::127.0.0.1', 'IPv4-compatible'],
  ['64:ff9b::10.0.0.1', 'RFC 6052 well-known prefix'],
  ['64:ff9b::a9fe:a9fe', 'RFC 6052, hex words'],
  ['64:ff9b:1::a00:1', 'RFC 8215 local-use prefix'],
  ['2002:a9fe:a9fe::1', '6to4'],
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo (client 10.0.0.1)'],
  ['fe80::5efe:10.0.0.1', 'ISATAP link-local'],
  ['2001:db9::200:5efe:a9fe:a9fe', 'ISATAP under a global prefix'],
] as const;

describe('IPv4 embedded in IPv6', () => {
  it.each(EMBEDDINGS)('%s (%s) is refused at connect time, naming the address sent', (address) => {
    for (const rules of [AWS, LOCAL]) {
      const problem = addressProblem(address, rules);
      if (address.includes('127.0.0.1') && rules.allowLoopbackHttp) continue;
      expect(problem).toBeDefined();
      expect(problem!.startsWith(`${address} `)).toBe(true);
    }
  });

  it.each(EMBEDDINGS)('https://[%s]/ (%s) is refused at registration', (address) => {
    const check = checkUrlForm(`https://[${address}]/hook`, AWS);
    expect(check.kind).toBe('refused');
  });

  it.each(['::ffff:8.8.8.8', '2002:808:808::1', '2001:db9::200:5efe:808:808', '2606:4700:4700::1111'])(
    'a public address (%s) is allowed',
    (address) => {
      expect(addressProblem(address, AWS)).toBeUndefined();
    },
  );
});

describe('messages name what the caller sent (item 8)', () => {
  it.each(['::1', '::', '0:0:0:0:0:0:0:1'])('%s is refused as itself', (address) => {
    const problem = addressProblem(address, AWS);
    expect(problem).toMatch(new RegExp(`^${address.replace(/\./g, '\\.')} is a`));
    expect(problem).not.toMatch(/0\.0\.0\./);
  });

  it('an embedded address names both', () => {
    expect(addressProblem('::ffff:0:a9fe:a9fe', AWS)).toBe(
      '::ffff:0:a9fe:a9fe carries IPv4 169.254.169.254, a private, loopback, link-local, reserved or metadata address',
    );
  });
});

describe("the loopback allowance never reaches the local stack's own services (item 2)", () => {
  const local: UrlRules = { allowLoopbackHttp: true, deniedPorts: [3000, 3001, 4100] };

  it.each([
    'http://127.0.0.1:3001/v1/@connections/someone-else',
    'http://localhost:4100/plugin/disable',
    'http://[::1]:3000/v1/pop',
    'http://127.0.0.2:3001/',
  ])('%s is refused, naming the port', (url) => {
    const check = checkUrlForm(url, local);
    expect(check).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(/^Url: port \d+ is one of the local stack's own services$/),
    });
  });

  it("a caller's own receiver on another loopback port is still allowed", () => {
    expect(checkUrlForm('http://127.0.0.1:45678/hook', local).kind).toBe('allowed');
  });

  it('the stack lists the port of every URL it serves, defaults included', () => {
    expect(
      portsOf(['http://127.0.0.1:3000/v1', 'ws://127.0.0.1:3001/v1', 'https://x.example', 'us-east-1', undefined]),
    ).toEqual([443, 3000, 3001]);
  });

  it('a delivery to a denied port is refused before any connection', async () => {
    const result = await postSigned('http://127.0.0.1:3001/v1/@connections/x', '{}', {}, local);
    expect(result).toEqual({ ok: false, error: "Url: port 3001 is one of the local stack's own services" });
  });
});
