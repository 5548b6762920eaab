import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import { Webhook } from 'standardwebhooks';
import { WebhookDeliveryHeaders } from '../../../contract/webhooks';
import { nextAttempt, DEFAULT_RETRY_SECONDS } from '../../../lambdas/webhooks/backoff';
import { newSecret, signedHeaders, signingSecrets } from '../../../lambdas/webhooks/signing';
import { checkWebhookUrl, type Resolver } from '../../../lambdas/webhooks/urlGuard';

const AWS = { allowLoopbackHttp: false };
const publicResolver: Resolver = async () => ['93.184.216.34'];
const refusedIn = async (url: string, resolve: Resolver = publicResolver) =>
  (await checkWebhookUrl(url, AWS, resolve)).kind === 'refused';

const privateV4 = fc.oneof(
  fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
);
const asNumber = ([a, b, c, d]: number[]) => ((a! << 24) >>> 0) + (b! << 16) + (c! << 8) + d!;

describe('webhook URL guard (SSRF)', () => {
  it('refuses every private, loopback and link-local IPv4 address in any spelling', async () => {
    await fc.assert(
      fc.asyncProperty(
        privateV4,
        fc.constantFrom('dotted', 'decimal', 'hex', 'octal', 'mapped', 'mappedHex', 'userinfo'),
        async (parts, form) => {
          const dotted = parts.join('.');
          const n = asNumber(parts);
          const host = {
            dotted,
            decimal: String(n),
            hex: `0x${n.toString(16)}`,
            octal: parts.map((p) => `0${p.toString(8)}`).join('.'),
            mapped: `[::ffff:${dotted}]`,
            mappedHex: `[::ffff:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}]`,
            userinfo: `good.example.com@${dotted}`,
          }[form];
          expect(await refusedIn(`https://${host}/hook`)).toBe(true);
        },
      ),
    );
  });

  it('refuses names that resolve to a private address, even when only one of them does', async () => {
    await fc.assert(
      fc.asyncProperty(privateV4, async (parts) => {
        expect(await refusedIn('https://hooks.example.com/', async () => ['93.184.216.34', parts.join('.')])).toBe(
          true,
        );
      }),
    );
  });

  it.each([
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://[::1]/',
    'https://169.254.169.254/latest',
    'https://[fd00:ec2::254]/',
    'http://hooks.example.com/',
    'ftp://hooks.example.com/',
    'https://user:pw@hooks.example.com/',
    'https://metadata.google.internal/',
  ])('refuses %s', async (url) => expect(await refusedIn(url)).toBe(true));

  it('allows a public https name, and http to loopback only where the local stack allows it', async () => {
    expect((await checkWebhookUrl('https://hooks.example.com/x', AWS, publicResolver)).kind).toBe('allowed');
    expect(await refusedIn('http://127.0.0.1:8080/')).toBe(true);
    expect((await checkWebhookUrl('http://127.0.0.1:8080/', { allowLoopbackHttp: true }, publicResolver)).kind).toBe(
      'allowed',
    );
    expect((await checkWebhookUrl('http://10.0.0.1/', { allowLoopbackHttp: true }, publicResolver)).kind).toBe(
      'refused',
    );
  });
});

describe('webhook signatures', () => {
  it('verify with the standardwebhooks package, with either secret during the rotation window', () => {
    const [current, previous] = [newSecret(), newSecret()];
    const now = Date.now();
    const secrets = signingSecrets(
      { secret: current, previousSecret: previous, previousSecretExpiresAt: new Date(now + 1000).toISOString() },
      now,
    );
    const body = JSON.stringify({ Type: 'pop.status', Cursor: '7' });
    const headers = signedHeaders('p1.Sent', new Date(now), body, secrets);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    expect(
      signingSecrets(
        { secret: current, previousSecret: previous, previousSecretExpiresAt: new Date(now - 1).toISOString() },
        now,
      ),
    ).toEqual([current]);
  });

  it('are the headers the contract documents (AsyncAPI and OpenAPI), with one or two signatures', () => {
    const body = JSON.stringify({ Type: 'pop.status', Cursor: '7' });
    for (const secrets of [[newSecret()], [newSecret(), newSecret()]]) {
      const headers = signedHeaders('p1.Sent', new Date(), body, secrets);
      expect([...Value.Errors(WebhookDeliveryHeaders, headers)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
      expect(Object.keys(headers).sort()).toEqual(Object.keys(WebhookDeliveryHeaders.properties).sort());
    }
  });
});

describe('webhook back-off', () => {
  it('retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then dead-letters', () => {
    const waits = DEFAULT_RETRY_SECONDS.map((_, i) => nextAttempt(DEFAULT_RETRY_SECONDS, i + 1));
    expect(waits).toEqual(
      [5, 300, 1800, 7200, 18000, 36000, 36000].map((afterSeconds) => ({ kind: 'retry', afterSeconds })),
    );
    expect(nextAttempt(DEFAULT_RETRY_SECONDS, 8)).toEqual({ kind: 'deadLetter' });
    expect(DEFAULT_RETRY_SECONDS.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600);
  });
});
