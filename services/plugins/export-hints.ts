// A candidate's exportHints as a plugin returned them, checked as untrusted data: the plugin
// process checks them before sending (worker/output.ts) and the host again on arrival
// (wire-check.ts), both with this function. Learned activation ranges (SDK 1.5.0) are bounded:
// at most MAX_RANGES tensors, names up to 256 characters, finite min ≤ max.
import {
  ACTIVATION_RANGES_VERSION, EXPORT_QUANTIZATIONS, type ActivationRanges, type ExportHints, type ValueRange,
} from '@condense/plugin-sdk';

export const MAX_RANGES = 4096;
const MAX_NAME = 256;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkRange(v: unknown, where: string): ValueRange | string {
  if (!isPlainObject(v) || typeof v.min !== 'number' || typeof v.max !== 'number' || !Number.isFinite(v.min) || !Number.isFinite(v.max)) {
    return `${where} must be { min, max } with finite numbers`;
  }
  if (v.min > v.max) return `${where}.min (${v.min}) is above its max (${v.max})`;
  return { min: v.min, max: v.max };
}

function checkRangeMap(v: unknown, where: string, budget: { left: number }): Record<string, ValueRange> | string {
  if (!isPlainObject(v)) return `${where} must map layer names to { min, max }`;
  const out: Record<string, ValueRange> = {};
  for (const [name, range] of Object.entries(v)) {
    if (name.length === 0 || name.length > MAX_NAME) return `${where} has a layer name of ${name.length} characters (1–${MAX_NAME})`;
    if (--budget.left < 0) return `activationRanges names more than ${MAX_RANGES} tensors`;
    const checked = checkRange(range, `${where}[${JSON.stringify(name.slice(0, 40))}]`);
    if (typeof checked === 'string') return checked;
    out[name] = checked;
  }
  return out;
}

/** Checks learned activation ranges; returns a clean copy or what is wrong with them. */
export function checkActivationRanges(v: unknown, where = 'activationRanges'): ActivationRanges | string {
  if (!isPlainObject(v)) return `${where} must be an object`;
  if (v.version !== ACTIVATION_RANGES_VERSION) {
    return `${where}.version must be ${ACTIVATION_RANGES_VERSION} (this host reads version ${ACTIVATION_RANGES_VERSION}), got ${JSON.stringify(v.version)}`;
  }
  const budget = { left: MAX_RANGES };
  const outputs = checkRangeMap(v.outputs, `${where}.outputs`, budget);
  if (typeof outputs === 'string') return outputs;
  const preActivations = v.preActivations === undefined ? undefined : checkRangeMap(v.preActivations, `${where}.preActivations`, budget);
  if (typeof preActivations === 'string') return preActivations;
  const input = v.input === undefined ? undefined : checkRange(v.input, `${where}.input`);
  if (typeof input === 'string') return input;
  return { version: ACTIVATION_RANGES_VERSION, outputs, ...(input ? { input } : {}), ...(preActivations ? { preActivations } : {}) };
}

/** Checks a candidate's exportHints; returns a clean copy or what is wrong with them. */
export function checkExportHints(v: unknown, where = 'exportHints'): ExportHints | string {
  if (!isPlainObject(v)) return `${where} must be an object`;
  if (v.quantization !== undefined && !(EXPORT_QUANTIZATIONS as readonly unknown[]).includes(v.quantization)) {
    return `${where}.quantization must be one of ${EXPORT_QUANTIZATIONS.join(', ')}, got ${JSON.stringify(v.quantization)}`;
  }
  if (v.qat !== undefined && typeof v.qat !== 'boolean') return `${where}.qat must be a boolean`;
  const ranges = v.activationRanges === undefined ? undefined : checkActivationRanges(v.activationRanges, `${where}.activationRanges`);
  if (typeof ranges === 'string') return ranges;
  return {
    ...(v.quantization !== undefined ? { quantization: v.quantization as ExportHints['quantization'] } : {}),
    ...(v.qat !== undefined ? { qat: v.qat } : {}),
    ...(ranges ? { activationRanges: ranges } : {}),
  };
}
