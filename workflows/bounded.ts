// Runs tasks of a dependency graph concurrently, at most `limit` at once, starting ready tasks in
// list order whenever one finishes. Deterministic for Temporal: what starts next depends only on
// the order completions arrive in, which a replay reproduces from the history. No timers, no I/O.

export interface BoundedTask {
  id: string;
  /** Ids of tasks that must finish first. */
  after: string[];
  /** Handles its own ordinary failures; a rejection stops the graph (cancellation, bookkeeping). */
  run(): Promise<void>;
}

/**
 * Resolves when every task finished. When a task rejects, nothing new starts; the tasks already
 * running are waited for, then the first rejection is thrown.
 */
export function runBounded(tasks: BoundedTask[], limit: number, onChange?: (running: string[]) => void): Promise<void> {
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) {
    for (const dep of t.after) if (!ids.has(dep)) throw new Error(`task ${t.id} waits for unknown task ${dep}`);
  }
  const max = Math.max(1, Math.floor(limit));
  const done = new Set<string>();
  const running = new Set<string>();
  let stopped = false;
  let firstError: unknown;
  return new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (!stopped) {
        for (const task of tasks) {
          if (running.size >= max) break;
          if (done.has(task.id) || running.has(task.id) || !task.after.every((d) => done.has(d))) continue;
          running.add(task.id);
          task.run().then(
            () => finish(task.id),
            (err: unknown) => {
              if (!stopped) {
                stopped = true;
                firstError = err;
              }
              finish(task.id);
            },
          );
        }
      }
      onChange?.([...running]);
      if (running.size === 0) {
        if (stopped) reject(firstError);
        else if (done.size === tasks.length) resolve();
        else reject(new Error(`tasks ${tasks.filter((t) => !done.has(t.id)).map((t) => t.id).join(', ')} can never start (a dependency cycle)`));
      }
    };
    const finish = (id: string) => {
      running.delete(id);
      done.add(id);
      pump();
    };
    pump();
  });
}
