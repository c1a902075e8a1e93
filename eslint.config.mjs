// ESLint flat config: typescript-eslint with type information (projectService reads tsconfig.json)
// and Nx's module boundaries over the project tags (project.json). `npm run lint` runs it in CI.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const SPECS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.infra/', 'coverage/', '.nx/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // Only through a lib's door (@audience-hub/<lib>); the rule also refuses import cycles between projects.
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Apps may import libs, never another app.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            // Libs never import apps.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            // The contracts are the shared language: they import nothing of ours.
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
  {
    rules: {
      // Parameters and destructured members named with a leading _ are deliberately unused (an omitted key, an interface's argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Methods that implement an async interface (kafkajs's eachMessage and heartbeat, a TokenSource, a transport's close) are async without awaiting.
      '@typescript-eslint/require-await': 'off',
      // kafkajs hands eachBatch its helpers (heartbeat, resolveOffset, commitOffsetsIfNecessary) as closures, which the rule takes for methods.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Specs (and libs/testing, their helpers) read JSON answers, events and mocks untyped and check them with expect().
    files: [...SPECS, 'test/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Specs build labels with templates of any value, run steps as terse ternaries and compare strings of whatever they got.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Fixture casts: the rule's fixer removes some tsc needs (generic event builders), so specs keep theirs.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // libs/testing serves specs, test/bench and test/demo only (those sit outside every project).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [...SPECS, 'libs/testing/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: '@audience-hub/testing', message: 'libs/testing is for specs, test/bench and test/demo only.' }] }] },
  },
  prettier,
);
