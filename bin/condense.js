#!/usr/bin/env node
// Thin launcher: run the TypeScript CLI through tsx so `condense` works without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolve tsx and our tsconfig (decorators!) from this package, not from the caller's working directory.
const tsx = import.meta.resolve('tsx');
// A 32 MB young generation (V8's default is 16 MB): the API server allocates per request and spent
// 9% of its time in GC; with it (and the same flag on bench:api's load generator), the query p99 on
// PostgreSQL fell from 53 to 41–48 ms
// (docs/api.md, "Server heap"). `npm run serve` and `npm run bench:api` pass the same flag.
const result = spawnSync(process.execPath, ['--max-semi-space-size=32', '--import', tsx, join(root, 'services/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? join(root, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
