/**
 * The modules left out of the Lambda bundles (lib/lambdaBundling.ts) must only ever be loaded lazily: a static import
 * of one would fail the function's cold start in AWS, where node_modules does not exist. Bundles the functions that
 * carry the AWS SDK and checks that each left-out module is reached only through a dynamic `import()`.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { BUNDLE_ALIASES, LAZY_CREDENTIAL_PROVIDERS } from '../../../lib/lambdaBundling';

const ROOT = join(__dirname, '../../..');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('modules left out of the Lambda bundles', () => {
  it.each(['pop', 'wsAck', 'authToken'])(
    'are only imported dynamically by the %s function',
    async (name) => {
      // GIVEN the function bundled as the stack bundles it WHEN its code is searched THEN each left-out module appears
      // only inside `import("...")`, never in a static import or require.
      const result = await build({
        entryPoints: [join(ROOT, 'lambdas', 'handlers', `${name}.ts`)],
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'esm',
        mainFields: ['module', 'main'],
        external: [...LAZY_CREDENTIAL_PROVIDERS],
        alias: { ...BUNDLE_ALIASES },
        write: false,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]!.text;
      for (const module of LAZY_CREDENTIAL_PROVIDERS) {
        const mentions = code.match(new RegExp(`.{0,8}["']${escape(module)}["']`, 'g')) ?? [];
        for (const mention of mentions) expect(mention).toMatch(/import\(["']/);
      }
      expect(code).toContain('import("@smithy/core/event-streams")');
    },
    30_000,
  );
});
