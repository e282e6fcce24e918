// The memory watchdog of an isolated child process (upload inspection, plugin runs): its resident
// set, read from /proc every few milliseconds, so a child over its limit is stopped within one
// sample — V8's heap cap alone misses memory allocated outside the heap (wasm, buffers).
import { readFile } from 'node:fs/promises';

/** Resident set size of process `pid` in bytes; undefined once it has exited (or off Linux). */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Calls `onSample` with the child's resident bytes every `everyMs` (one read at a time); returns the stop function. */
export function watchResidentMemory(pid: () => number | undefined, everyMs: number, onSample: (bytes: number) => void): () => void {
  let sampling = false;
  const timer = setInterval(() => {
    const id = pid();
    if (sampling || id === undefined) return;
    sampling = true;
    void residentBytes(id).then((bytes) => {
      sampling = false;
      if (bytes !== undefined) onSample(bytes);
    });
  }, everyMs);
  return () => clearInterval(timer);
}
