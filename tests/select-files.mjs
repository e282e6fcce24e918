// Prints the test files `npm test` runs, one per line.
// CONDENSE_TEST_SCOPE=database keeps only the files that touch a database (they are the ones
// whose result can change with DATABASE_URL); CI runs those on PostgreSQL 15 and everything on PGlite.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATABASE_MARKERS = /createTestDatabase|openDatabase|DATABASE_URL|\/harness|helpers\/database/;

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const scope = process.env.CONDENSE_TEST_SCOPE ?? 'all';
if (scope !== 'all' && scope !== 'database') {
  console.error(`CONDENSE_TEST_SCOPE: must be "all" or "database" (got "${scope}")`);
  process.exit(2);
}
const files = testFiles('tests')
  .filter((file) => scope === 'all' || DATABASE_MARKERS.test(readFileSync(file, 'utf8')))
  .sort();
console.log(files.join('\n'));
