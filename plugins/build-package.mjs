#!/usr/bin/env node
// Builds and packs a package under plugins/ (the SDK, every plugin) for people outside this
// repository: `npm pack` runs `prepack`, which compiles src/ with TypeScript into dist/ (ES
// modules + .d.ts; relative `./x.ts` imports rewritten to `./x.js`) and points the manifest at
// dist/ for the tarball — `exports` to { types, default } of the compiled entry, `files` to dist
// and the README — then `postpack` restores the manifest. Inside the repository the packages stay
// TypeScript sources (`exports` → ./src/index.ts), run through tsx without a build step.
//   node ../build-package.mjs build | prepack | postpack     (from the package's directory)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dir = process.cwd();
const manifestPath = join(dir, 'package.json');
const saved = join(dir, '.package.source.json');
const here = resolve(import.meta.dirname);

function build() {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const temp = mkdtempSync(join(tmpdir(), 'condense-build-'));
  const config = join(temp, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: join(here, '..', 'tsconfig.json'),
    compilerOptions: {
      noEmit: false, declaration: true, rewriteRelativeImportExtensions: true, rootDir: join(dir, 'src'), outDir: join(dir, 'dist'),
      // Test-only and Node globals stay out of what a consumer compiles against.
      types: ['node'], typeRoots: [join(here, '..', 'node_modules', '@types')],
    },
    include: [join(dir, 'src')],
    exclude: [],
  }));
  const tsc = createRequire(join(here, '..', 'package.json')).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** `./src/x.ts` → { types: ./dist/x.d.ts, default: ./dist/x.js }. */
function compiled(target) {
  if (typeof target !== 'string' || !/^\.\/src\/.+\.ts$/.test(target)) throw new Error(`export target ${JSON.stringify(target)} is not a ./src/*.ts file`);
  const base = target.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

function prepack() {
  build();
  const source = readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(source);
  if (existsSync(saved)) throw new Error(`${saved} exists: a previous pack did not finish; restore package.json from it first`);
  writeFileSync(saved, source);
  const exp = typeof manifest.exports === 'string' ? { '.': manifest.exports } : manifest.exports;
  manifest.exports = Object.fromEntries(Object.entries(exp).map(([key, target]) => [key, compiled(target)]));
  manifest.types = manifest.exports['.'].types;
  manifest.files = ['dist', 'README.md'];
  // The build scripts live in this repository, not in the package.
  for (const script of ['build', 'prepack', 'postpack']) delete manifest.scripts?.[script];
  if (manifest.scripts && Object.keys(manifest.scripts).length === 0) delete manifest.scripts;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

function postpack() {
  if (existsSync(saved)) renameSync(saved, manifestPath);
}

const command = process.argv[2];
if (command === 'build') build();
else if (command === 'prepack') prepack();
else if (command === 'postpack') postpack();
else {
  console.error('usage: node ../build-package.mjs build | prepack | postpack');
  process.exit(2);
}
