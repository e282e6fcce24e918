// ESLint flat config: recommended JS + typescript-eslint rules for every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '**/node_modules/', '.condense/', 'coverage/', '**/*.generated.*', 'tests/fixtures/', 'services/console/dist/', 'services/console/src/gql/', 'plugins/*/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Plugins depend only on the SDK (plugins/sdk): the host hands them tfjs, data and helpers
    // through the context, so a plugin installs and runs without our source tree (and packs on its
    // own: tests/plugins/pack-install.slow.test.ts). Every plugin, projection included (its text
    // front end is the SDK's since 1.4.0).
    files: ['plugins/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/services/**', '**/workflows/**', '**/bench/**', '**/tests/**'], message: 'plugins import only @condense/plugin-sdk (and Node built-ins): take what you need from the plugin context' },
          { group: ['@tensorflow/*'], allowTypeImports: true, message: 'plugins use the host\'s tfjs (ctx.tf), never their own copy' },
          { group: ['@condense/*', '!@condense/plugin-sdk'], message: 'plugins import only @condense/plugin-sdk, not other packages of Condense' },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
