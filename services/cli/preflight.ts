// The upload pre-flight as the CLI prints it (issue #14 item 2): per hardware target, can a
// candidate be exported, which layers block it and why, and the model's parameters, MACs and
// peak activation memory. `condense inspect` prints it; `condense compress` prints it and stops
// before creating anything when the run could not produce a candidate (the API's NOT_EXPORTABLE).
import type { ModelPreflightJson } from '../db/types/index.ts';
import { inspectModel } from '../engine/import/index.ts';
import { modelPreflight } from '../inspect/describe.ts';

const count = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));
const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);

/** The pre-flight of a model file (undefined for TF.js graph models, which have no layers). */
export async function preflightOf(source: { filename: string; bytes: Uint8Array }): Promise<ModelPreflightJson | undefined> {
  const inspected = await inspectModel(source, { preflight: true });
  return inspected.preflight ? modelPreflight(inspected.preflight, inspected.notes ?? []) : undefined;
}

/** Human-readable pre-flight; `targets` limits the per-target lines (default: all). */
export function formatPreflight(preflight: ModelPreflightJson, targets?: string[]): string {
  const lines = [
    `pre-flight: ${count(preflight.parameterCount)} parameters, ${count(preflight.macs)} MACs`
      + (preflight.peakActivationBytes === null ? '' : `, peak activation memory ${kb(preflight.peakActivationBytes)} (float32, batch 1)`),
  ];
  for (const b of preflight.blockers) lines.push(`  blocks every target: layer '${b.layer}' (${b.className}): ${b.reason}`);
  const shown = preflight.targets.filter((t) => !targets || targets.includes(t.target));
  const width = Math.max(0, ...shown.map((t) => t.target.length));
  for (const t of shown) {
    const latency = t.estimatedLatencyMs === null ? '' : `, est. ${t.estimatedLatencyMs.toFixed(2)} ms uncompressed`;
    if (t.exportable) lines.push(`  ${t.target.padEnd(width)}  exportable as ${t.quantization}${latency}`);
    else if (preflight.blockers.length > 0) lines.push(`  ${t.target.padEnd(width)}  NOT exportable (see above)`);
    else lines.push(`  ${t.target.padEnd(width)}  NOT exportable as ${t.quantization}: ${t.blockers.map((b) => b.reason).join('; ')}`);
    for (const note of t.budgetNotes) lines.push(`  ${' '.repeat(width)}  over budget before compression: ${note}`);
  }
  for (const note of preflight.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
