import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.generated.ts', '.state/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'max-params': ['error', 3],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@ragmesh/*/src/*', '@ragmesh/*/dist/*'], message: 'import the package entry point' }] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through loadConfig(env)' }],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', '**/test/**/*.ts', 'packages/testkit/src/**/*.ts', 'packages/telemetry/src/sdk.ts', '**/src/config.ts', '**/src/main.ts', '**/src/service.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', performance: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' } },
    rules: { 'no-restricted-properties': 'off' },
  },
);
