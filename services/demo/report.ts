// The demo's HTML report: accuracy against file size per target as an inline SVG chart (drawn
// here, no scripts or CDN), and the table of every candidate.
import { writeFileSync } from 'node:fs';
import type { CandidateView } from './flow.ts';
import { candidateName, chainLabel, kb } from './table.ts';

export interface ReportInput {
  runId: string;
  targets: string[];
  candidates: CandidateView[];
  teacher: { accuracy: number; bytes: number; parameterCount: number };
  published: { key: string; bytes: number; runtimeAccuracy: number };
  generatedAt: Date;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Scatter of accuracy (%) against size (KB, log scale), one colour per target; Pareto points ringed. */
export function accuracySizeChart(candidates: CandidateView[], targets: string[], reference?: { label: string; accuracy: number }): string {
  const points = candidates.filter((c) => c.status === 'SUCCEEDED' && c.metrics.accuracy != null && c.metrics.bytes);
  const W = 720, H = 420, L = 70, R = 170, T = 20, B = 50;
  if (points.length === 0) return '<p>No succeeded candidates to plot.</p>';
  const xs = points.map((c) => Math.log10(c.metrics.bytes! / 1024));
  const ys = [...points.map((c) => c.metrics.accuracy! * 100), ...(reference ? [reference.accuracy * 100] : [])];
  const [x0, x1] = [Math.floor(Math.min(...xs) * 4) / 4 - 0.1, Math.ceil(Math.max(...xs) * 4) / 4 + 0.1];
  const [y0, y1] = [Math.max(0, Math.floor(Math.min(...ys)) - 1), Math.min(100, Math.ceil(Math.max(...ys)) + 1)];
  const px = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const py = (v: number) => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [];
  // Axes, grid and ticks.
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`);
  const yStep = y1 - y0 > 10 ? 5 : 1;
  for (let v = Math.ceil(y0 / yStep) * yStep; v <= y1; v += yStep) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/><text x="${L - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${v}%</text>`);
  }
  for (const kbTick of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]) {
    const v = Math.log10(kbTick);
    if (v < x0 || v > x1) continue;
    parts.push(`<line x1="${px(v)}" x2="${px(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/><text x="${px(v)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${kbTick >= 1000 ? `${kbTick / 1000} MB` : `${kbTick} KB`}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle" font-size="12">.tflite size (log scale)</text>`);
  parts.push(`<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${(T + H - B) / 2})">test accuracy</text>`);
  if (reference) {
    const y = py(reference.accuracy * 100).toFixed(1);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#555" stroke-dasharray="5 4"/><text x="${W - R - 4}" y="${Number(y) - 4}" text-anchor="end" font-size="11" fill="#555">${escape(reference.label)} ${(reference.accuracy * 100).toFixed(2)}%</text>`);
  }
  targets.forEach((target, i) => {
    const color = COLORS[i % COLORS.length]!;
    const mine = points.filter((c) => c.targetFit.target === target);
    for (const c of mine) {
      const cx = px(Math.log10(c.metrics.bytes! / 1024)).toFixed(1);
      const cy = py(c.metrics.accuracy! * 100).toFixed(1);
      const title = `${escape(target)}: ${escape(candidateName(c))} (${escape(chainLabel(c))}) — ${(c.metrics.accuracy! * 100).toFixed(2)}%, ${kb(c.metrics.bytes)}`;
      parts.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="${color}" fill-opacity="0.75"${c.pareto ? ' stroke="#000" stroke-width="1.5"' : ''}><title>${title}</title></circle>`);
    }
    const ly = T + 14 + i * 18;
    parts.push(`<circle cx="${W - R + 16}" cy="${ly - 4}" r="5" fill="${color}"/><text x="${W - R + 26}" y="${ly}" font-size="12">${escape(target)} (${mine.length})</text>`);
  });
  const ly = T + 14 + targets.length * 18;
  parts.push(`<circle cx="${W - R + 16}" cy="${ly - 4}" r="5" fill="#fff" stroke="#000" stroke-width="1.5"/><text x="${W - R + 26}" y="${ly}" font-size="12">Pareto front</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" role="img" aria-label="accuracy against size per target">${parts.join('')}</svg>`;
}

export function renderReport(input: ReportInput): string {
  const rows = input.targets.flatMap((target) =>
    input.candidates
      .filter((c) => c.targetFit.target === target)
      .sort((a, b) => (b.metrics.accuracy ?? -1) - (a.metrics.accuracy ?? -1))
      .map((c) => {
        const m = c.metrics;
        const cells = c.status === 'SUCCEEDED'
          ? [target, candidateName(c), chainLabel(c), m.accuracy == null ? '-' : `${(m.accuracy * 100).toFixed(2)}%`, kb(m.bytes), kb(m.downloadBytes), m.compressionRatio == null ? '-' : `${m.compressionRatio.toFixed(1)}×`,
            m.parameterCount == null ? '-' : m.parameterCount.toLocaleString('en'), m.estimatedLatencyMs == null ? '-' : `${m.estimatedLatencyMs.toFixed(3)} ms`,
            m.hostLatencyMs == null ? '-' : `${m.hostLatencyMs.toFixed(3)} ms`, c.targetFit.fits === false ? `no: ${c.targetFit.failures.map((f) => f.message).join('; ')}` : 'yes', c.pareto ? '★' : '']
          : [target, candidateName(c), chainLabel(c), '-', '-', '-', '-', '-', '-', '-', `failed (${c.failure?.stage ?? '?'}): ${c.failure?.message ?? ''}`, ''];
        const cls = c.key === input.published.key ? ' class="published"' : '';
        return `<tr${cls}>${cells.map((v) => `<td>${escape(v)}</td>`).join('')}</tr>`;
      }),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Condense demo report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1100px; }
table { border-collapse: collapse; font-size: 13px; } th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }
th { background: #f4f4f4; } tr.published td { background: #fff6d5; } .note { color: #666; font-size: 13px; }
</style></head><body>
<h1>Condense demo report</h1>
<p class="note">Run ${escape(input.runId)} · generated ${escape(input.generatedAt.toISOString())}</p>
<p>Teacher (uploaded): small CNN, ${input.teacher.parameterCount.toLocaleString('en')} parameters, test accuracy ${(input.teacher.accuracy * 100).toFixed(2)}%,
${kb(input.teacher.bytes)} as a TF.js layers zip.<br>
Published to <code>production</code>: <b>${escape(input.published.key)}</b>, ${kb(input.published.bytes)}; the downloaded file scored
${(input.published.runtimeAccuracy * 100).toFixed(2)}% in the TFLite runtime.</p>
<h2>Accuracy against size</h2>
${accuracySizeChart(input.candidates, input.targets, { label: 'teacher', accuracy: input.teacher.accuracy })}
<h2>Candidates</h2>
<table><thead><tr><th>target</th><th>candidate</th><th>techniques</th><th>accuracy</th><th>size</th><th>download (gzip)</th><th>ratio</th><th>parameters</th><th>est. latency</th><th>host latency</th><th>fits target</th><th>Pareto</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="note">Accuracy on the held-out test digits, measured by the server in the TFLite interpreter. Estimated latency: roofline model of the target; host latency: this machine's CPU, batch 1, median.
★ = on the run's Pareto front; the highlighted row is the published model.</p>
</body></html>
`;
}

export function writeReport(path: string, input: ReportInput): void {
  writeFileSync(path, renderReport(input));
}
