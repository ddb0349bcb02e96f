// Lint: typescript-eslint's strict type-checked rules over the sources, the tests and the scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench-out/', '.cache/', 'test/fixtures/apps/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked, ...tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers and booleans read naturally in messages; objects and nullish values still need a decision.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // node:http, node:https and node:tls load through src/util/http-modules.ts, which says why.
    files: ['src/**/*.ts'],
    ignores: ['src/util/http-modules.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['node:http', 'node:https', 'node:tls', 'http', 'https', 'tls'].map((name) => ({
            name,
            message: 'Load it from src/util/http-modules.ts (an ESM import of node:http loads undici).',
            allowTypeImports: true,
          })),
        },
      ],
    },
  },
  {
    // Tests index into fixtures they just built; a failed assertion says more than a guard would.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Fakes implement async interfaces without awaiting; `expect.any()` is typed `any`.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
