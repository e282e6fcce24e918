// Runs tasks of a dependency graph concurrently, at most `limit` at once, starting ready tasks
// whenever one finishes: the highest `priority` first, ties in list order (no priorities: list
// order). Deterministic for Temporal: what starts next depends only on the order completions
// arrive in, which a replay reproduces from the history. No timers, no I/O.

export interface BoundedTask {
  id: string;
  /** Ids of tasks that must finish first. */
  after: string[];
  /** Handles its own ordinary failures; a rejection stops the graph (cancellation, bookkeeping). */
  run(): Promise<void>;
  /** Ready tasks with a higher priority start first (default 0). */
  priority?: number;
  /** A task in a lane of `lanes` counts against that lane's own limit instead of `limit`. */
  lane?: string;
}

/**
 * Critical-path priorities (list scheduling, Graham 1969; "highest level first", Hu 1961): each
 * task's priority is its own cost plus the largest priority among the tasks that wait for it, i.e.
 * the length of the longest chain of work it still holds up. Starting those first keeps a long
 * chain (prune → distill → quantize) from being left to run alone at the end.
 */
export function criticalPathPriorities(tasks: Array<{ id: string; after: string[]; cost: number }>): Map<string, number> {
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const dep of t.after) dependents.get(dep)?.push(t.id);
  const cost = new Map(tasks.map((t) => [t.id, t.cost]));
  const priority = new Map<string, number>();
  const visit = (id: string, path: Set<string>): number => {
    const known = priority.get(id);
    if (known !== undefined) return known;
    if (path.has(id)) throw new Error(`task ${id} depends on itself (a dependency cycle)`);
    path.add(id);
    let longest = 0;
    for (const next of dependents.get(id) ?? []) longest = Math.max(longest, visit(next, path));
    path.delete(id);
    const value = (cost.get(id) ?? 0) + longest;
    priority.set(id, value);
    return value;
  };
  for (const t of tasks) visit(t.id, new Set());
  return priority;
}

/**
 * Resolves when every task finished. When a task rejects, nothing new starts; the tasks already
 * running are waited for, then the first rejection is thrown. `lanes` gives separate limits to
 * tasks that use another resource than the rest (e.g. the runner's own thread).
 */
export function runBounded(tasks: BoundedTask[], limit: number, onChange?: (running: string[]) => void, lanes: Record<string, number> = {}): Promise<void> {
  const ids = new Set(tasks.map((t) => t.id));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const t of tasks) {
    for (const dep of t.after) if (!ids.has(dep)) throw new Error(`task ${t.id} waits for unknown task ${dep}`);
  }
  const max = Math.max(1, Math.floor(limit));
  // Stable: equal priorities keep list order.
  const order = tasks.map((t, i) => ({ t, i })).sort((a, b) => (b.t.priority ?? 0) - (a.t.priority ?? 0) || a.i - b.i).map(({ t }) => t);
  const done = new Set<string>();
  const running = new Set<string>();
  const laneOf = (t: BoundedTask) => (t.lane !== undefined && lanes[t.lane] !== undefined ? t.lane : '');
  const limits = new Map<string, number>([['', max], ...Object.entries(lanes).map(([k, v]) => [k, Math.max(1, Math.floor(v))] as [string, number])]);
  const busy = new Map<string, number>();
  let stopped = false;
  let firstError: unknown;
  return new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (!stopped) {
        for (const task of order) {
          const lane = laneOf(task);
          if ((busy.get(lane) ?? 0) >= limits.get(lane)!) continue;
          if (done.has(task.id) || running.has(task.id) || !task.after.every((d) => done.has(d))) continue;
          running.add(task.id);
          busy.set(lane, (busy.get(lane) ?? 0) + 1);
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
      const lane = laneOf(byId.get(id)!);
      busy.set(lane, busy.get(lane)! - 1);
      done.add(id);
      pump();
    };
    pump();
  });
}
