// ESLint 9 flat config: typescript-eslint's strict and stylistic type-checked sets over everything
// `npm run lint` names, with Prettier owning layout (eslint-config-prettier last switches off the
// rules that would fight it). A rule tuned here says why it is wrong for this code.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        // Numbers and booleans print as people expect in log lines and mail copy; objects, null and
        // undefined still do not.
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        // `const { t, rank, ...rest } = entry` is how an object is copied without some keys: the keys
        // named beside a rest element are there to be left out, not to be used.
        { ignoreRestSiblings: true },
      ],
    },
  },
  {
    // In a test a value that is not there fails the test with a TypeError on that line — the assertion
    // we want; 700 comments would each say that.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Plain JavaScript (the bin shim, build scripts, this file) is outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
