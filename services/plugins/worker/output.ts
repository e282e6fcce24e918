// Checks what a hook returned and serialises the valid candidates for the trip to the host.
// An invalid entry fails alone; the valid ones still become candidates.
import { tf } from '../../engine/backend/index.ts';
import { checkExportHints } from '../export-hints.ts';
import { serializeModel } from '../model-transfer.ts';
import type { WireCandidate } from '../protocol.ts';

export interface CheckedOutput {
  candidates: WireCandidate[];
  invalid: Array<{ candidate?: string; message: string }>;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function checkOutput(output: unknown): Promise<CheckedOutput> {
  const items = Array.isArray(output) ? output : [output];
  const result: CheckedOutput = { candidates: [], invalid: [] };
  if (output === undefined || output === null) {
    result.invalid.push({ message: 'compress returned nothing; it must return a candidate { name, model } or an array of them' });
    return result;
  }
  if (items.length === 0) {
    result.invalid.push({ message: 'compress returned an empty array; it must return at least one candidate' });
    return result;
  }
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    const where = `candidate[${i}]`;
    if (!item || typeof item !== 'object') {
      result.invalid.push({ message: `${where} must be an object { name, model }, got ${describe(item)}` });
      continue;
    }
    const c = item as Record<string, unknown>;
    const name = typeof c.name === 'string' ? c.name : undefined;
    const fail = (message: string): void => { result.invalid.push({ ...(name ? { candidate: name } : {}), message }); };
    if (!name || !NAME_PATTERN.test(name)) { fail(`${where}.name must be 1–64 letters, digits, '.', '_' or '-', got ${describe(c.name)}`); continue; }
    if (seen.has(name)) { fail(`${where}.name "${name}" is used twice`); continue; }
    seen.add(name);
    if (!(c.model instanceof tf.LayersModel)) { fail(`${where}.model must be a tfjs LayersModel, got ${describe(c.model)}`); continue; }
    if (c.notes !== undefined && typeof c.notes !== 'string') { fail(`${where}.notes must be a string`); continue; }
    const hints = c.exportHints === undefined ? undefined : checkExportHints(c.exportHints, `${where}.exportHints`);
    if (typeof hints === 'string') { fail(hints); continue; }
    const metrics = c.metrics as Record<string, unknown> | undefined;
    if (metrics !== undefined) {
      const bad = metrics && typeof metrics === 'object' ? Object.entries(metrics).find(([, v]) => v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) : ['', metrics];
      if (bad) { fail(`${where}.metrics must map names to finite numbers${bad[0] ? ` (metrics.${bad[0]} is ${describe(bad[1])})` : ''}`); continue; }
    }
    let model;
    try {
      model = await serializeModel(c.model);
    } catch (err) {
      fail(`${where}.model could not be serialised: ${firstLine(err)}`);
      continue;
    }
    result.candidates.push({
      name,
      model,
      ...(c.notes !== undefined ? { notes: c.notes as string } : {}),
      ...(hints !== undefined ? { exportHints: hints } : {}),
      ...(metrics !== undefined ? { metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined)) as Record<string, number> } : {}),
    });
  }
  return result;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object of class ${(value as object).constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').slice(0, 500) || (err instanceof Error ? err.name : 'error');
}
