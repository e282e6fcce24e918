// Child processes under Node's permission model cannot run through tsx (its loader starts a
// worker thread and probes paths it may not read), so their TypeScript entry points are bundled
// with esbuild into one ES module, dependencies left as imports. The bundle is written under
// <repo>/node_modules/.cache/condense/ so those imports resolve from the repo's node_modules,
// and so the child needs read access to node_modules only — never to the repo root, where the
// default data dir (.condense) lives.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_MODULES = join(REPO_ROOT, 'node_modules');
const CACHE_DIR = join(NODE_MODULES, '.cache', 'condense');

const bundles = new Map<string, Promise<string>>();

async function bundleOnce(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', write: false, logLevel: 'silent', legalComments: 'none',
  });
  const code = result.outputFiles[0]!.text;
  const file = join(CACHE_DIR, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file); // atomic: a concurrent process never runs half a file
  return file;
}

/** Path of the bundled .mjs of a TypeScript entry point (built once per process). */
export function bundledEntry(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = bundleOnce(entry);
    bundles.set(entry, bundle);
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}
