// Private files: everything Condense keeps on disk (data dir, blobs, database files, scratch)
// is readable by the server's own user only, whatever the process umask. Directories are 0700,
// files 0600; `umask` can only remove bits, so asking for these modes is enough for new files,
// and `chmod` repairs what an older version or another tool created more openly.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Bits no Condense file may carry: everything for group and others. */
export const GROUP_OTHER_BITS = 0o077;

/** Creates `path` (and missing parents, each 0700) and makes `path` itself 0700. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(path, PRIVATE_DIR_MODE);
}

/** Removes group/other permission bits from every directory and file under `root` (symlinks untouched). */
export function restrictTree(root: string): void {
  const visit = (path: string): void => {
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info || info.isSymbolicLink()) return;
    if ((info.mode & GROUP_OTHER_BITS) !== 0) chmodSync(path, info.mode & 0o7700);
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
}
