// Parsers for command-line values; each throws a CliError naming the option.
import { checkBudgetSeconds, parseBudget } from '../planner/budget.ts';
import { CliError } from './errors.ts';

const UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** "200kb", "1.5mb", "300000" → bytes (kb = 1024 bytes). */
export function parseSize(option: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m?.[2]?.toLowerCase() || 'b';
  if (!m || !(unit in UNITS)) throw new CliError(`${option}: cannot read size "${value}"`, 'write it like 200kb, 1.5mb or 300000 (bytes)');
  return Math.round(Number(m[1]) * UNITS[unit]!);
}

/** "--budget 10m" / "90s" / "1.5h" / "300" → seconds, within the planner's limits. */
export function parseBudgetOption(value: string): number {
  try {
    const seconds = parseBudget(value);
    checkBudgetSeconds(seconds);
    return seconds;
  } catch (err) {
    throw new CliError(`--budget: ${(err as Error).message}`, 'e.g. --budget 90s, --budget 10m or --budget 1h');
  }
}

export function parseNumber(option: string, value: string, { min, max }: { min?: number; max?: number } = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`${option}: "${value}" is not a number`);
  if (min !== undefined && n < min) throw new CliError(`${option}: must be at least ${min}, got ${value}`);
  if (max !== undefined && n > max) throw new CliError(`${option}: must be at most ${max}, got ${value}`);
  return n;
}

/** "--technique pruning" or "--technique 'pruning={\"targetSparsity\":0.8}'" → { plugin, config }. */
export function parseTechnique(value: string): { plugin: string; config: Record<string, unknown> } {
  const eq = value.indexOf('=');
  if (eq < 0) return { plugin: value.trim(), config: {} };
  const plugin = value.slice(0, eq).trim();
  try {
    const config = JSON.parse(value.slice(eq + 1)) as unknown;
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('not an object');
    return { plugin, config: config as Record<string, unknown> };
  } catch {
    throw new CliError(`--technique ${plugin}: the config after "=" must be a JSON object`, `e.g. --technique 'pruning={"targetSparsity":0.8}'`);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
