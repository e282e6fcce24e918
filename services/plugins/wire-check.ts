// The host's check of what a plugin process answered. The process checked its candidates
// (worker/output.ts) before sending them, but the process runs the plugin's code, which can send
// anything over the channel: here every field is checked again as untrusted data, and anything
// that is not a plain candidate becomes an invalid-output failure.
import { checkExportHints } from './export-hints.ts';
import type { SerializedModel } from './model-transfer.ts';
import type { WireCandidate } from './protocol.ts';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_CANDIDATES = 64;
const MAX_NOTES = 4000;

type Invalid = { candidate?: string; message: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkModel(m: unknown): SerializedModel | string {
  if (!isPlainObject(m)) return 'model is not a serialised model';
  if (!isPlainObject(m.modelTopology)) return 'model.modelTopology must be an object';
  if (!Array.isArray(m.weightSpecs) || !m.weightSpecs.every((w) => isPlainObject(w) && typeof w.name === 'string' && Array.isArray(w.shape) && typeof w.dtype === 'string')) {
    return 'model.weightSpecs must be a list of { name, shape, dtype }';
  }
  if (!(m.weightData instanceof ArrayBuffer)) return 'model.weightData must be bytes';
  if (m.trainingConfig !== undefined && !isPlainObject(m.trainingConfig)) return 'model.trainingConfig must be an object';
  return {
    modelTopology: m.modelTopology,
    weightSpecs: m.weightSpecs as SerializedModel['weightSpecs'],
    weightData: m.weightData,
    ...(m.trainingConfig ? { trainingConfig: m.trainingConfig as unknown as SerializedModel['trainingConfig'] } : {}),
  };
}

export function checkWireOutput(candidates: unknown, invalid: unknown): { candidates: WireCandidate[]; invalid: Invalid[] } {
  const out: { candidates: WireCandidate[]; invalid: Invalid[] } = { candidates: [], invalid: [] };
  if (Array.isArray(invalid)) {
    for (const bad of invalid.slice(0, MAX_CANDIDATES)) {
      if (!isPlainObject(bad)) continue;
      out.invalid.push({ ...(typeof bad.candidate === 'string' ? { candidate: bad.candidate.slice(0, 64) } : {}), message: String(bad.message).split('\n')[0]!.slice(0, 500) });
    }
  }
  if (!Array.isArray(candidates)) {
    out.invalid.push({ message: 'the plugin process answered with something that is not a list of candidates' });
    return out;
  }
  if (candidates.length > MAX_CANDIDATES) out.invalid.push({ message: `only the first ${MAX_CANDIDATES} candidates are kept` });
  const seen = new Set<string>();
  for (const c of candidates.slice(0, MAX_CANDIDATES)) {
    const name = isPlainObject(c) && typeof c.name === 'string' && NAME_PATTERN.test(c.name) ? c.name : undefined;
    if (!isPlainObject(c) || !name || seen.has(name)) {
      out.invalid.push({ message: 'the plugin process sent a candidate without a valid, unique name' });
      continue;
    }
    seen.add(name);
    const fail = (message: string): void => { out.invalid.push({ candidate: name, message }); };
    const model = checkModel(c.model);
    if (typeof model === 'string') { fail(model); continue; }
    if (c.notes !== undefined && (typeof c.notes !== 'string' || c.notes.length > MAX_NOTES)) { fail(`notes must be a string of at most ${MAX_NOTES} characters`); continue; }
    const hints = c.exportHints === undefined ? undefined : checkExportHints(c.exportHints);
    if (typeof hints === 'string') { fail(`exportHints is malformed: ${hints.slice(0, 300)}`); continue; }
    const metrics = c.metrics;
    if (metrics !== undefined && (!isPlainObject(metrics) || Object.values(metrics).some((v) => typeof v !== 'number' || !Number.isFinite(v)))) { fail('metrics must map names to finite numbers'); continue; }
    out.candidates.push({
      name,
      model,
      ...(c.notes !== undefined ? { notes: c.notes as string } : {}),
      ...(hints !== undefined ? { exportHints: hints } : {}),
      ...(metrics !== undefined ? { metrics: { ...metrics } as Record<string, number> } : {}),
    });
  }
  return out;
}
