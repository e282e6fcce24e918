// PGlite (PostgreSQL compiled with emscripten) writes its files through emscripten's NODEFS,
// which creates them with mode 0777 and then chmods them to 0666, ignoring the process umask
// (measured: 968 of 1,000 files 0666 with umask 022 or 077). Every embedded-database file would
// then be readable and writable by any local user. NODEFS calls Node's CommonJS `fs` object at
// run time, so we wrap the three calls that set modes and strip the group/other bits for paths
// inside a registered database directory; every other path passes through unchanged.
import fs from 'node:fs';
import { resolve, sep } from 'node:path';
import { GROUP_OTHER_BITS, restrictTree } from '../files/private.ts';

const roots = new Set<string>();
let installed = false;

function isUnderRoot(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  const full = resolve(path);
  for (const root of roots) if (full === root || full.startsWith(root + sep)) return true;
  return false;
}

const privateMode = (mode: unknown): unknown => (typeof mode === 'number' ? mode & ~GROUP_OTHER_BITS : mode);

function install(): void {
  if (installed) return;
  installed = true;
  const { chmodSync, mkdirSync, writeFileSync } = fs;
  fs.chmodSync = (path, mode) => chmodSync(path, isUnderRoot(path) ? (privateMode(mode) as fs.Mode) : mode);
  fs.mkdirSync = ((path: fs.PathLike, options?: fs.Mode | fs.MakeDirectoryOptions | null) => {
    if (!isUnderRoot(path)) return mkdirSync(path, options as fs.MakeDirectoryOptions);
    const opts = typeof options === 'object' && options !== null ? { ...options, mode: privateMode(options.mode ?? 0o777) as fs.Mode } : { mode: privateMode(options ?? 0o777) as fs.Mode };
    return mkdirSync(path, opts);
  }) as typeof fs.mkdirSync;
  fs.writeFileSync = ((file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) => {
    if (!isUnderRoot(file)) return writeFileSync(file, data, options);
    const opts = typeof options === 'object' && options !== null ? { ...options, mode: privateMode(options.mode ?? 0o666) as fs.Mode } : { encoding: options ?? undefined, mode: 0o600 };
    return writeFileSync(file, data, opts as fs.WriteFileOptions);
  }) as typeof fs.writeFileSync;
}

/** Keeps every file PGlite creates under `dir` private (0600/0700), and repairs what is already there. */
export function keepPgliteFilesPrivate(dir: string): void {
  roots.add(resolve(dir));
  install();
  restrictTree(dir);
}
