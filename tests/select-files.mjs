// Prints the test files `npm test` runs, one per line.
// CONDENSE_TEST_SCOPE=database keeps only the files that touch a database (they are the ones
// whose result can change with DATABASE_URL); CI runs those on PostgreSQL 15 and everything on PGlite.
// CONDENSE_TEST_LANE picks the lane: `fast` (default; what `npm test` runs, ≤ 5 minutes on two
// cores), `slow` (files named `*.slow.test.ts`: long scenarios, browser suites, benchmarks-in-
// small; `npm run test:slow`) or `all`. `.ci/run` runs both lanes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATABASE_MARKERS = /createTestDatabase|openDatabase|DATABASE_URL|\/harness|helpers\/database/;
const SLOW = /\.slow\.test\.ts$/;

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

const scope = process.env.CONDENSE_TEST_SCOPE ?? 'all';
if (scope !== 'all' && scope !== 'database') fail(`CONDENSE_TEST_SCOPE: must be "all" or "database" (got "${scope}")`);
const lane = process.env.CONDENSE_TEST_LANE ?? 'fast';
if (!['fast', 'slow', 'all'].includes(lane)) fail(`CONDENSE_TEST_LANE: must be "fast", "slow" or "all" (got "${lane}")`);

const files = testFiles('tests')
  .filter((file) => lane === 'all' || (lane === 'slow') === SLOW.test(file))
  .filter((file) => scope === 'all' || DATABASE_MARKERS.test(readFileSync(file, 'utf8')))
  .sort();
console.log(files.join('\n'));
