// `npm run bench:console`: JavaScript the console's first page loads (the entry script and the
// chunks index.html preloads), gzipped at level 9, against the 300 KB budget; lazy chunks (the
// project, run and new-run pages, Observable Plot, rjsf) are listed but load only when opened.
// Builds the console first unless --no-build. Prints a table, then one JSON object as the last line.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from '../services/api/http/console.ts';

const BUDGET_BYTES = 300 * 1024;
if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build:console'], { stdio: ['ignore', 'ignore', 'inherit'] });

const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
const firstPage = new Set([...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!));
const gz = (file: string) => gzipSync(readFileSync(join(CONSOLE_DIST, file)), { level: 9 }).length;

const rows = readdirSync(join(CONSOLE_DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => {
  const file = `assets/${f}`;
  return { file, raw: readFileSync(join(CONSOLE_DIST, file)).length, gzip: gz(file), first: firstPage.has(file) };
}).sort((a, b) => Number(b.first) - Number(a.first) || b.gzip - a.gzip);

console.log('chunk                                   raw bytes   gzip bytes   first page');
for (const r of rows) console.log(`${r.file.padEnd(40)}${String(r.raw).padStart(10)}${String(r.gzip).padStart(13)}   ${r.first ? 'yes' : 'lazy'}`);
const first = rows.filter((r) => r.first).reduce((sum, r) => sum + r.gzip, 0);
const lazy = rows.filter((r) => !r.first).reduce((sum, r) => sum + r.gzip, 0);
if (firstPage.size === 0) throw new Error('no script found in dist/index.html');
console.log(`first page: ${first} bytes gzipped (budget ${BUDGET_BYTES}); lazy chunks: ${lazy} bytes gzipped`);
console.log(JSON.stringify({ first_page_js_gzip_bytes: first, budget_bytes: BUDGET_BYTES, within_budget: first <= BUDGET_BYTES, lazy_js_gzip_bytes: lazy, chunks: rows.length }));
