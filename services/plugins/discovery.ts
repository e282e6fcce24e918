// Where plugins come from: the built-in workspace packages under plugins/ that carry the
// `"condense": { "plugin": true }` marker, and the comma-separated CONDENSE_PLUGINS list of npm
// package names or paths. Resolution happens here, in the host; the modules are only bundled
// here and imported inside sandboxed plugin processes.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PluginSource {
  /** What the operator wrote (package name or path), or the built-in package's name. */
  specifier: string;
  origin: 'builtin' | 'env';
  /** file: URL of the module to import, or null when it could not be resolved. */
  url: string | null;
  /** Why resolution failed, when url is null. */
  error?: string;
  /** The plugin's package directory (absent for a plugin given as a single file). */
  packageDir?: string;
}

/** The repository root: services/plugins/ is two levels below it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
  condense?: { plugin?: boolean };
}

function readPackageJson(dir: string): PackageJson | null {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}

/** The entry file of a package directory: exports['.'] (string or import/default condition), then main, then index.ts/index.js. */
function packageEntry(dir: string, pkg: PackageJson): string | null {
  const exp = pkg.exports;
  let entry: string | undefined;
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return pick(o.import) ?? pick(o.default) ?? pick(o.node);
    }
    return undefined;
  };
  if (typeof exp === 'string') entry = exp;
  else if (exp && typeof exp === 'object') entry = pick((exp as Record<string, unknown>)['.'] ?? exp);
  entry ??= pkg.main;
  const candidates = entry ? [entry] : ['index.ts', 'index.js', 'src/index.ts'];
  for (const c of candidates) {
    const file = path.resolve(dir, c);
    // Real paths: node imports a symlinked package by its real location too.
    if (existsSync(file) && statSync(file).isFile()) return realpathSync(file);
  }
  return null;
}

/** Built-in plugins: every package under `<root>/plugins/` except the SDK with the marker. */
export function findBuiltinPlugins(root: string = REPO_ROOT): PluginSource[] {
  const dir = path.join(root, 'plugins');
  if (!existsSync(dir)) return [];
  const sources: PluginSource[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'sdk') continue;
    const pkgDir = path.join(dir, name);
    if (!statSync(pkgDir).isDirectory()) continue;
    const pkg = readPackageJson(pkgDir);
    if (!pkg?.condense?.plugin) continue;
    const entry = packageEntry(pkgDir, pkg);
    sources.push(entry
      ? { specifier: pkg.name ?? name, origin: 'builtin', url: pathToFileURL(entry).href, packageDir: realpathSync(pkgDir) }
      : { specifier: pkg.name ?? name, origin: 'builtin', url: null, error: `package ${pkgDir} has no entry file (set "exports" or "main")` });
  }
  return sources;
}

/** Parses CONDENSE_PLUGINS: comma-separated npm package names or paths (relative to `cwd`). */
export function resolvePluginList(list: string | undefined, cwd: string = process.cwd()): PluginSource[] {
  if (!list) return [];
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((spec) => resolveOne(spec, cwd));
}

function isPath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:') || /^[A-Za-z]:[\\/]/.test(spec);
}

function resolveOne(spec: string, cwd: string): PluginSource {
  const env = { specifier: spec, origin: 'env' as const };
  if (isPath(spec)) {
    const target = spec.startsWith('file:') ? fileURLToPath(spec) : path.resolve(cwd, spec);
    if (!existsSync(target)) return { ...env, url: null, error: `path ${target} does not exist` };
    if (statSync(target).isDirectory()) {
      const pkg = readPackageJson(target) ?? {};
      const entry = packageEntry(target, pkg);
      return entry ? { ...env, url: pathToFileURL(entry).href, packageDir: realpathSync(target) } : { ...env, url: null, error: `directory ${target} has no package entry or index file` };
    }
    return { ...env, url: pathToFileURL(realpathSync(target)).href };
  }
  // An npm package: resolve from the working directory first, then from the repository.
  for (const base of [cwd, REPO_ROOT]) {
    const dir = findPackageDir(spec, base);
    if (dir) {
      const entry = packageEntry(dir, readPackageJson(dir) ?? {});
      if (entry) return { ...env, url: pathToFileURL(entry).href, packageDir: realpathSync(dir) };
    }
    try {
      return { ...env, url: pathToFileURL(realpathSync(createRequire(path.join(base, 'noop.js')).resolve(spec))).href };
    } catch {
      // try the next base
    }
  }
  return { ...env, url: null, error: `npm package "${spec}" is not installed (run npm install ${spec})` };
}

/** node_modules lookup walking up from `base` (the package's exports may not allow require.resolve). */
function findPackageDir(name: string, base: string): string | null {
  let dir = path.resolve(base);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
