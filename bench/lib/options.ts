// What the benches share about their command line: a clock for their log lines, and options that
// must be non-negative integers or a time budget (`--budget 10m`, parsed as a run's budget is),
// each refused with one line and exit code 2.
import { parseBudget } from '../../services/planner/budget.ts';

/** Seconds since the bench started, and a logger that prefixes each line with them. */
export function benchClock() {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const log = (line: string) => console.log(`[${elapsed().toFixed(0)}s] ${line}`);
  return { elapsed, log };
}

/** The option `--name` as a non-negative integer. */
export function intOption(args: Record<string, unknown>, name: string): number {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} must be a non-negative integer, got ${String(args[name])}`);
    process.exit(2);
  }
  return v;
}

/** The `--budget` option in seconds. */
export function budgetOption(value: unknown): number {
  try {
    return parseBudget(String(value));
  } catch (err) {
    console.error(`--budget: ${(err as Error).message}`);
    process.exit(2);
  }
}
