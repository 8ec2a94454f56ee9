import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema.ts';

// `npm run codegen` prints the Pothos schema, sorted, to schema.graphql (committed; a test keeps it fresh).
const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: false },
    },
  },
  silent: true,
};

export default config;
