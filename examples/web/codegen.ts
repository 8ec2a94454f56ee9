import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation in src/, from Plaza's committed schema: `npm run codegen` after changing either.
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.tsx'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
    },
  },
  silent: true,
};

export default config;
