// Lint: typescript-eslint's recommended type-aware rules, plus Architect's house style
// (2-space indent, single quotes, no semicolons) through @stylistic.
import js from '@eslint/js'
import stylistic from '@stylistic/eslint-plugin'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: [ '.build/**', 'node_modules/**', 'bench/.build/**', '.stryker-tmp/**', 'reports/**' ] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: [ '*.js', '*.mjs' ] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': [ 'error', 2 ],
      '@stylistic/quotes': [ 'error', 'single', { avoidEscape: true } ],
      '@stylistic/semi': [ 'error', 'never' ],
      '@typescript-eslint/no-explicit-any': 'error',
      // `let` everywhere is Architect's style; `const` adds no safety we rely on
      'prefer-const': 'off',
      // Destructuring a field out to drop it is the clearest way to omit it
      '@typescript-eslint/no-unused-vars': [ 'error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' } ],
      // `async` marks a function as part of a promise contract even when its body needs no await
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: [ '*.js', '**/*.cjs' ],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { module: 'readonly', require: 'readonly', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    // CommonJS: esbuild.config.js (the TypeScript plugin require()s it) and scripts/check-node.cjs
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
