// Writes tests/fixtures/histories/<scenario>.json from tests/workflows/history-scenarios.ts.
//   npx tsx tests/workflows/generate-histories.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHistory } from './history-builder.ts';
import { scenarios } from './history-scenarios.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/histories');
mkdirSync(outDir, { recursive: true });
for (const scenario of scenarios) {
  const file = join(outDir, `${scenario.name}.json`);
  writeFileSync(file, `${JSON.stringify(buildHistory(scenario), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
