// ESLint 9 flat config: ESLint's and typescript-eslint's recommended rules, tuned to this codebase's conventions
// (CONTRIBUTING.md). `npm run lint`; .ci/run enforces it. Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'performance',
    'fetch',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      '.local/**',
      '.cdk-home/**',
      'coverage/**',
      'test-output/**',
      'sdk/dist/**',
      // typedoc's generated site (npm run sdk:docs).
      'sdk/api-docs/**',
      // Written by ajv's standalone code generation (npm run contract), not by hand.
      'contract/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // TypeScript itself reports undefined names, knowing the Node types (typescript-eslint's advice).
      'no-undef': 'off',
      // `_name` marks a parameter a signature requires but the body does not use (tsc's noUnusedParameters agrees).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Empty cases grouped under one answer, with a comment between them (lambdas/auth/tokenIssuer.ts), are not a
      // fall-through by mistake.
      'no-fallthrough': ['error', { allowEmptyCase: true }],
    },
  },
  {
    // Tests and the bench read untyped JSON (templates, answers, results, inspector replies) and poke at it.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Escaping control characters for the terminal is the point of this pattern.
    files: ['instance/log.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Plain JavaScript run by Node: the globals it uses.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    // CommonJS files (jest.config.js, preloads, the provisioning bin): require and module are their module system.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
