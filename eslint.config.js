// Layers point inward: core <- service <- api / protocol / health / cli. `src/main.ts` wires them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const outward = (...layers) => layers.map((layer) => `**/${layer}/**`);
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'ui/dist/**',
      'routeplane-data/**',
      '.tmp/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(
      [
        'node:*',
        'fs',
        'net',
        'dgram',
        'http',
        'crypto',
        'worker_threads',
        ...outward('service', 'store', 'api', 'protocol', 'health', 'cli'),
      ],
      'src/core is pure: no I/O and no imports from outer layers.',
    ),
  },
  {
    // Tests beside core code may use node's test runner and read fixtures; the code itself may not.
    files: ['src/core/**/*.test.ts'],
    rules: restrict(
      outward('service', 'store', 'api', 'protocol', 'health', 'cli'),
      'core tests test core only.',
    ),
  },
  {
    files: ['src/store/**/*.ts'],
    rules: restrict(
      outward('service', 'api', 'protocol', 'health', 'cli'),
      'the store depends on core only.',
    ),
  },
  {
    files: ['src/service/**/*.ts'],
    rules: restrict(
      [...outward('api', 'protocol', 'health', 'cli'), '**/store/sqlite/**', '**/store/postgres/**'],
      'the service sees the Store interface, never a concrete backend or an outer layer.',
    ),
  },
  {
    // Service tests run against a real store, as every test here uses real parts.
    files: ['src/service/**/*.test.ts'],
    rules: restrict(outward('api', 'protocol', 'health', 'cli'), 'service tests test the service only.'),
  },
  {
    files: ['src/protocol/**/*.ts', 'src/health/**/*.ts'],
    rules: restrict(outward('api', 'cli'), 'protocol and health must not import the API or the CLI.'),
  },
  {
    // The dashboard runs in a browser and reaches the controller only through its public HTTP API.
    files: ['ui/src/**/*.ts', 'ui/src/**/*.tsx'],
    ignores: ['ui/src/**/*.test.ts'],
    rules: restrict(
      ['node:*', '**/src/**'],
      'the dashboard uses the public API only: no node modules, no server code.',
    ),
  },
  {
    files: ['src/api/**/*.ts'],
    rules: restrict(
      [...outward('cli'), '**/store/sqlite/**', '**/store/postgres/**'],
      'the API talks to the service, never to a concrete store or the CLI.',
    ),
  },
);
