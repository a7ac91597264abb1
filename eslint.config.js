// @ts-check
/**
 * The lint gate (npm run lint, part of npm run check and CI): typescript-eslint's type-checked rules,
 * and the layers as import rules. Imports only point down, tier by tier:
 *   commands (src/commands, cli.ts, main.ts)
 *   → composites (operations that cross domains)
 *   → import, export (the CSV engines)
 *   → formats (the CSV formats of every entity)
 *   → domains (one folder per area: rules and services)
 *   → base (db, lib, output, errors, io, op)
 * and migrations import nothing from src/.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DOMAINS = [
  'activities',
  'accounts',
  'requests',
  'settings',
  'audit',
  'contacts',
  'copy',
  'keys',
  'managers',
  'notices',
  'plans',
  'remind',
  'reports',
  'seats',
  'subscriptions',
  'trainings',
];
const ENGINES = ['import', 'export'];
const BASE = ['db', 'lib', 'output'];
const MESSAGE = 'imports only point down the layers (see the tiers in eslint.config.js)';
/** A relative import that climbs out of the current folder into one of `dirs` (or names cli.ts/main.ts). */
const above = (dirs) => [
  { regex: `^(\\.\\./)+(${dirs.join('|')})/`, message: MESSAGE },
  { regex: '^(\\.\\./)+(cli|main)\\.js$', message: MESSAGE },
];
const tier = (folders, files, forbidden) => ({
  files: [...folders.map((d) => `src/${d}/**/*.ts`), ...files.map((f) => `src/${f}`)],
  rules: { 'no-restricted-imports': ['error', { patterns: above(forbidden) }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench-data/**', 'scripts/**', 'bin/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Control characters are data here: the CSV reader, the formula rule and the text limits look for them.
      'no-control-regex': 'off',
      // Interface methods are async on purpose (the SQLite and PostgreSQL implementations share one shape).
      '@typescript-eslint/require-await': 'off',
      // Values shown in messages and cells are CSV/JSON scalars; objects are JSON-encoded before String().
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  tier(['composites'], [], ['commands']),
  tier(ENGINES, [], ['commands', 'composites']),
  tier(['formats'], [], ['commands', 'composites', ...ENGINES]),
  tier(DOMAINS, [], ['commands', 'composites', ...ENGINES, 'formats']),
  tier(BASE, ['errors.ts', 'io.ts', 'op.ts'], ['commands', 'composites', ...ENGINES, 'formats', ...DOMAINS]),
  {
    files: ['migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+src/', message: 'a migration imports nothing from src/' }] }],
    },
  },
  {
    // Migrations and the code that names tables at run time use Kysely<any>, as kysely's migration docs do.
    files: ['migrations/**/*.ts', 'src/db/**/*.ts', 'src/keys/**/*.ts', 'src/import/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Tests may reach into anything; loose typing of parsed JSON output is fine there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
);
