// GraphQL Code Generator: typed operations for every `graphql(...)` document under src/, from the
// committed SDL. Run `npm run codegen -w @condense/console`; tests/console/codegen.test.ts checks
// that src/gql/ is up to date.
import type { CodegenConfig } from '@graphql-codegen/cli';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const config: CodegenConfig = {
  schema: here('../../schema/schema.graphql'),
  documents: [here('src/**/*.tsx'), here('src/**/*.ts'), `!${here('src/gql/**')}`],
  ignoreNoDocuments: false,
  generates: {
    [here('src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        nonOptionalTypename: true,
      },
    },
  },
};

export default config;
