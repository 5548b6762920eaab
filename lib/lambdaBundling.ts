import { join } from 'node:path';

/**
 * Packages left out of every Lambda bundle. The SDK's default credential chain tries the environment first, which in
 * Lambda always answers (the runtime sets the role's keys), and loads these providers with a dynamic `import()` only
 * when it does not: they never run in Lambda, yet make up about 90 KB of each bundle (measured in bench/). Left out,
 * every function's bundle is under 300 KB. Were the environment ever empty, the chain would fail with "could not load
 * credentials" instead of trying SSO or profile files that a Lambda has not got. No CDK import here: the bench
 * builds its bundles with the same list.
 */
export const LAZY_CREDENTIAL_PROVIDERS: readonly string[] = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  // The same pattern: the SDK's HTTP protocols load event-stream serialisation with a dynamic `import()` only for an
  // operation that streams events; none of the operations our functions call does (DynamoDB, @connections, Cognito,
  // SQS). About 15 KB of each bundle.
  '@smithy/core/event-streams',
];

/**
 * Modules replaced in every Lambda bundle: `mnemonist/lru-cache` (about 7 KB with its dependency) is used only by the
 * DynamoDB client's endpoint-discovery cache, which is built but never used (discovery is off); a Map-based cache of
 * the same behaviour stands in (lambdas/bundling/lruCache.ts, checked against mnemonist by a unit test). Absolute
 * paths: esbuild resolves an alias from its working directory otherwise.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'mnemonist/lru-cache': join(__dirname, '..', 'lambdas', 'bundling', 'lruCache.ts'),
};
