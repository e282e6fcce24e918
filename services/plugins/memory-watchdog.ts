// Stops plugin workers that allocate without bound. A worker's V8 heap is capped by
// `resourceLimits`, but ArrayBuffers and the tfjs wasm heap live outside it, so we also watch
// the process's resident set size from the main thread (which stays responsive while a worker
// spins) and terminate the offending worker when growth since its start passes its limit.
// With several workers running at once, growth cannot be attributed exactly: the one that
// reported the most memory of its own (heap + external + ArrayBuffers) is stopped first.

export interface WatchedRun {
  /** Bytes of process RSS growth allowed since the run started. */
  limitBytes: number;
  /** Called once when the run is over its limit. */
  onExceeded(usedBytes: number): void;
}

interface Entry extends WatchedRun {
  baseline: number;
  startedAt: number;
  reported: number;
  fired: boolean;
}

const entries = new Set<Entry>();
let timer: NodeJS.Timeout | null = null;
const INTERVAL_MS = 50;

function tick(): void {
  const rss = process.memoryUsage.rss();
  const over = [...entries].filter((e) => !e.fired && rss - e.baseline > e.limitBytes);
  if (over.length === 0) return;
  const candidates = [...entries].filter((e) => !e.fired);
  const culprit = candidates.sort((a, b) => b.reported - a.reported || b.startedAt - a.startedAt)[0];
  culprit.fired = true;
  culprit.onExceeded(rss - culprit.baseline);
}

/** Starts watching a run; returns { report(bytes), stop() }. */
export function watchMemory(run: WatchedRun): { report(selfReportedBytes: number): void; stop(): void } {
  const entry: Entry = { ...run, baseline: process.memoryUsage.rss(), startedAt: performance.now(), reported: 0, fired: false };
  entries.add(entry);
  if (!timer) {
    timer = setInterval(tick, INTERVAL_MS);
    timer.unref();
  }
  return {
    report(bytes: number) { entry.reported = bytes; },
    stop() {
      entries.delete(entry);
      if (entries.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
  };
}
