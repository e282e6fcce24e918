// Prints the API's GraphQL SDL. `npx tsx schema/print.ts` rewrites schema/schema.graphql;
// `--check` exits non-zero when the committed file differs from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildApiSchema } from '../services/api/schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('./schema.graphql', import.meta.url));

export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildApiSchema()))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sdl = await printApiSchema();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== sdl) {
      console.error('schema/schema.graphql is out of date: run `npx tsx schema/print.ts`');
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, sdl);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
