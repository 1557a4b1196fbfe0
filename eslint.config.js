// ESLint (flat config) with typescript-eslint's recommended rules; `npm run lint`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'var/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // unused arguments named with a leading underscore are deliberate (ports, callbacks)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
