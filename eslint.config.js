import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import wc from 'eslint-plugin-wc';
import globals from 'globals';

/** Everything that defines elements or writes Lit templates: the widgets, their stories, Storybook's preview, the demo page. */
const LIT_FILES = [
  'packages/elements/**/*.ts',
  'stories/**/*.ts',
  '.storybook/**/*.ts',
  'demo-server/src/public/**/*.ts',
];

/** Code that runs in a browser page: the React wrappers, the stories, the host apps of the tests. */
const PAGE_FILES = [
  'packages/react/**/*.ts',
  'stories/**/*.ts',
  '.storybook/**/*.ts',
  'e2e/hosts/**/*.{ts,tsx}',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'bench/results/**', 'storybook-static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: LIT_FILES,
    ...lit.configs['flat/recommended'],
  },
  {
    files: LIT_FILES,
    ...wc.configs['flat/recommended'],
  },
  {
    files: LIT_FILES,
    plugins: { 'lit-a11y': litA11y },
    rules: litA11y.configs.recommended.rules,
  },
  {
    // Window globals that a typo turns into a silent bug (`name` for a missing variable).
    files: PAGE_FILES,
    rules: { 'no-restricted-globals': ['error', 'name', 'length', 'event', 'status', 'parent', 'top'] },
  },
);
