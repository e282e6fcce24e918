// Temporary files a crashed process left behind. Their names start with the writer's pid
// (`<pid>-…`); a file is stale when that process no longer runs on this host, or when it is
// older than STALE_AFTER_MS (a pid can be reused, and a volume can be shared between hosts).
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STALE_AFTER_MS = 60 * 60 * 1000;

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` named `<prefix><pid>-…` whose writer is gone or that are older
 * than STALE_AFTER_MS; returns how many it removed. A missing `dir` removes nothing.
 */
export function sweepStaleEntries(dir: string, prefix = '', now = Date.now()): number {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    const path = join(dir, name);
    const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? now;
    const stale = !Number.isInteger(pid) || pid <= 0 || !isRunning(pid) || now - mtime > STALE_AFTER_MS;
    if (!stale) continue;
    rmSync(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
