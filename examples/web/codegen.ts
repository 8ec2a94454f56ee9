import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation in src/, from Plaza's committed schema: `npm run codegen` after changing either.
const config: CodegenConfig = {
  // The committed schema, and the incremental delivery directives Plaza's server adds to it (Yoga's defer-stream plugin).
  schema: ['../../schema.graphql', 'directive @defer(if: Boolean! = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT'],
  documents: ['src/**/*.tsx'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      // persisted-documents.json: every operation by its SHA-256, for PERSISTED_DOCUMENTS; each document carries its hash.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
    },
  },
  silent: true,
};

export default config;
