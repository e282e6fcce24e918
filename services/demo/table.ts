// The Pareto table per target printed after the run.
import type { CandidateView } from './flow.ts';

export const kb = (n: number | null) => (n == null ? '-' : n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);
const fixed = (n: number | null, digits: number, suffix = '') => (n == null ? '-' : `${n.toFixed(digits)}${suffix}`);

/** The candidate's name inside its target (its key without the target), e.g. `distill-small+int8`. */
export function candidateName(c: CandidateView): string {
  const colon = c.key.indexOf(':');
  return colon >= 0 ? c.key.slice(colon + 1) : c.key;
}

export function chainLabel(c: CandidateView): string {
  return [...c.techniqueChain.map((t) => t.plugin), `export ${c.quantization ?? '?'}`].join(' → ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** One table per target, best accuracy first; `*` marks the run's Pareto front. */
export function formatParetoTables(candidates: CandidateView[], targets: string[]): string {
  const blocks: string[] = [];
  for (const target of targets) {
    const mine = candidates
      .filter((c) => c.targetFit.target === target)
      .sort((a, b) => (b.metrics.accuracy ?? -1) - (a.metrics.accuracy ?? -1) || (a.metrics.bytes ?? 0) - (b.metrics.bytes ?? 0));
    const rows = mine.map((c) =>
      c.status === 'SUCCEEDED'
        ? [c.pareto ? '*' : '', candidateName(c), chainLabel(c), fixed(c.metrics.accuracy == null ? null : c.metrics.accuracy * 100, 2, '%'), kb(c.metrics.bytes), fixed(c.metrics.compressionRatio, 1, '×'),
          fixed(c.metrics.estimatedLatencyMs, 3, ' ms'), fixed(c.metrics.hostLatencyMs, 3, ' ms'), c.targetFit.fits === false ? `no (${c.targetFit.failures.map((f) => f.rule).join(', ')})` : 'yes']
        : ['', candidateName(c), chainLabel(c), '-', '-', '-', '-', '-', `failed (${c.failure?.stage ?? '?'}): ${c.failure?.message ?? ''}`.slice(0, 80)],
    );
    blocks.push(`${target}\n${table(['', 'candidate', 'techniques', 'accuracy', 'size', 'ratio', 'est. latency', 'host latency', 'fits'], rows)}`);
  }
  blocks.push('* = on the Pareto front (accuracy vs size vs latency)');
  return blocks.join('\n\n');
}

/** The most accurate succeeded candidate at least `ratio`× smaller than the teacher's float32 file (any target). */
export function bestAtRatio(candidates: CandidateView[], ratio: number): CandidateView | undefined {
  return candidates
    .filter((c) => c.status === 'SUCCEEDED' && c.metrics.accuracy != null && c.metrics.bytes != null && (c.metrics.compressionRatio ?? 0) >= ratio)
    .sort((a, b) => b.metrics.accuracy! - a.metrics.accuracy! || a.metrics.bytes! - b.metrics.bytes!)[0];
}
