// The candidate table printed at the end of `condense compress` and by `condense candidates`.
import { EXPORT_ACCURACY_LOSS_RULE, isBrokenExport, MAX_EXPORT_ACCURACY_LOSS } from '../planner/select.ts';

export interface CandidateRow {
  key: string;
  target: string;
  status: string;
  quantization: string | null;
  accuracy: number | null;
  /** Accuracy of the float model the file was exported from (same samples), when measured. */
  sourceAccuracy: number | null;
  bytes: number | null;
  /** gzip-compressed bytes: what a client downloads. */
  downloadBytes: number | null;
  compressionRatio: number | null;
  estimatedLatencyMs: number | null;
  hostLatencyMs: number | null;
  fits: boolean | null;
  /** Rules the candidate breaks (target rules and run rules, as the API's FitFailure). */
  fitFailures: Array<{ rule: string; message: string }>;
  pareto: boolean;
  failure: string | null;
  file: string | null;
  /** Latency apps measured on devices (Candidate.fieldStats), when any reported; a column appears only then. */
  field?: { latencyP50Ms: number | null; reports: number } | null;
}

const kb = (n: number | null) => (n == null ? '-' : n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);
const fixed = (n: number | null, digits: number, suffix = '') => (n == null ? '-' : `${n.toFixed(digits)}${suffix}`);

export function formatCandidateTable(rows: CandidateRow[], baseline?: { accuracy: number; bytes: number }): string {
  const withField = rows.some((r) => r.field);
  const header = ['', 'candidate', 'target', 'quant', 'accuracy', 'float src', 'size', 'download (gzip)', 'ratio', 'est. latency', ...(withField ? ['device p50 (reports)'] : []), 'host latency', 'fits', 'file'];
  const field = (r: CandidateRow) => (withField ? [r.field ? `${fixed(r.field.latencyP50Ms, 3, ' ms')} (${r.field.reports})` : '-'] : []);
  const percent = (v: number | null) => fixed(v == null ? null : v * 100, 2, '%');
  const fits = (r: CandidateRow) => (isBrokenExport(r.fitFailures) ? 'BROKEN' : r.fits ? 'yes' : 'no');
  const body = rows.map((r) =>
    r.status === 'succeeded'
      ? [
          r.pareto ? '*' : '',
          r.key,
          r.target,
          r.quantization ?? '-',
          percent(r.accuracy),
          percent(r.sourceAccuracy),
          kb(r.bytes),
          kb(r.downloadBytes),
          fixed(r.compressionRatio, 1, '×'),
          fixed(r.estimatedLatencyMs, 3, ' ms'),
          ...field(r),
          fixed(r.hostLatencyMs, 3, ' ms'),
          fits(r),
          r.file ?? '-',
        ]
      : ['', r.key, r.target, '-', '-', '-', '-', '-', '-', '-', ...field(r), '-', 'failed', r.failure ?? ''],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)];
  if (baseline) lines.push('', `base model: accuracy ${(baseline.accuracy * 100).toFixed(2)}%, ${kb(baseline.bytes)} as float32 TFLite`);
  lines.push('* = on the Pareto front (accuracy vs size vs latency)');
  if (rows.some((r) => isBrokenExport(r.fitFailures))) {
    lines.push(`BROKEN = the exported file scores more than ${Math.round(MAX_EXPORT_ACCURACY_LOSS * 100)} points below its float source (${EXPORT_ACCURACY_LOSS_RULE}); never on the front, do not ship it`);
  }
  return lines.join('\n');
}
