// Child processes under Node's permission model cannot run through tsx (its loader starts a
// worker thread and probes paths it may not read), so their TypeScript entry points are bundled
// with esbuild into one ES module. The bundle is written under <repo>/node_modules/.cache/condense/
// so the imports left external resolve from the repo's node_modules, and so the child needs read
// access to node_modules only — never to the repo root, where the default data dir (.condense)
// lives. Bundles are world-readable (0644 in 0755 directories) whatever the umask: a sandboxed
// child may run as an unprivileged user.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_MODULES = join(REPO_ROOT, 'node_modules');
export const CACHE_DIR = join(NODE_MODULES, '.cache', 'condense');

export interface BundleOptions {
  /**
   * Which bare imports stay imports (resolved from node_modules at run time). Default: all of
   * them. A function receives the import specifier and answers whether it stays external.
   */
  external?: (specifier: string) => boolean;
  /** Source files outside these directories are refused (default: anywhere). */
  confineTo?: string[];
  /** With confineTo: also accept files inside any node_modules directory. */
  allowNodeModules?: boolean;
}

function inside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function confinement(dirs: string[], nodeModules: boolean): Plugin {
  return {
    name: 'confine',
    setup(b) {
      b.onLoad({ filter: /.*/ }, (args) => {
        if (dirs.some((d) => inside(args.path, d)) || (nodeModules && args.path.includes(`${sep}node_modules${sep}`))) return undefined;
        return { errors: [{ text: `imports ${args.path}, outside its package and node_modules` }] };
      });
    },
  };
}

function externals(keep: (specifier: string) => boolean): Plugin {
  return {
    name: 'externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || !keep(args.path)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

async function bundleOnce(entry: string, options: BundleOptions): Promise<string> {
  const plugins: Plugin[] = [];
  if (options.external) plugins.push(externals(options.external));
  if (options.confineTo) plugins.push(confinement(options.confineTo, options.allowNodeModules ?? false));
  const result = await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    ...(options.external ? {} : { packages: 'external' as const }),
    // CommonJS dependencies inlined into an ES module still call require().
    banner: options.external ? { js: "import { createRequire as __condenseRequire } from 'node:module'; const require = __condenseRequire(import.meta.url);" } : {},
    plugins, write: false, logLevel: 'silent', legalComments: 'none',
  });
  const code = result.outputFiles![0]!.text;
  const file = join(CACHE_DIR, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(CACHE_DIR, { recursive: true, mode: 0o755 });
  for (let dir = CACHE_DIR; inside(dir, NODE_MODULES) && dir !== NODE_MODULES; dir = join(dir, '..')) chmodSync(dir, 0o755);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code, { mode: 0o644 });
  chmodSync(temporary, 0o644);
  renameSync(temporary, file); // atomic: a concurrent process never runs half a file
  return file;
}

const bundles = new Map<string, Promise<string>>();

/** Path of the bundled .mjs of a TypeScript entry point (built once per process and options). */
export function bundledEntry(entry: string, options: BundleOptions = {}, cacheKey = ''): Promise<string> {
  const key = `${entry}|${cacheKey}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleOnce(entry, options);
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}
