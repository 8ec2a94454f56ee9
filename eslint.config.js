import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // examples/web/src/gql/ is generated (npm run codegen there).
  { ignores: ['node_modules/', 'bench/results/', '.data/', 'examples/web/src/gql/', 'examples/web/dist/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // An interface that only extends another is how a module fills in one declared elsewhere (declare module).
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The server logs through pino only.
  { files: ['src/**/*.ts'], rules: { 'no-console': 'error' } },
);
