// Layer options that only steer training (initializers, regularizers, constraints) as Keras
// 2.2–2.15 and Keras 3 serialise them, mapped to the tfjs-layers classes that exist; anything
// tfjs has no class for is dropped with a note (the imported weights already carry its effect).
// Also `axis` values (int, negative int, or a one-element list) as the Keras versions write them.
import { ModelImportError } from './errors.ts';

type Json = any;

/** Keras initializer class names → tfjs-layers class names (only where they differ). */
const INITIALIZER_NAMES: Record<string, string> = {
  LecunNormal: 'LeCunNormal', LecunUniform: 'LeCunUniform', IdentityInitializer: 'Identity',
  glorot_uniform: 'GlorotUniform', glorot_normal: 'GlorotNormal', he_normal: 'HeNormal', he_uniform: 'HeUniform',
  lecun_normal: 'LeCunNormal', lecun_uniform: 'LeCunUniform', zeros: 'Zeros', ones: 'Ones', orthogonal: 'Orthogonal',
  random_normal: 'RandomNormal', random_uniform: 'RandomUniform', truncated_normal: 'TruncatedNormal', identity: 'Identity',
};
const TFJS_INITIALIZERS = new Set([
  'Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'Identity', 'VarianceScaling',
  'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform', 'Orthogonal',
]);
const TFJS_CONSTRAINTS = new Set(['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm']);
const CONSTRAINT_NAMES: Record<string, string> = { max_norm: 'MaxNorm', unit_norm: 'UnitNorm', non_neg: 'NonNeg', min_max_norm: 'MinMaxNorm' };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"l2"` or `{class_name, config}` → its class name and config. */
function split(value: Json): { className: string; config: Record<string, Json> } | undefined {
  if (typeof value === 'string') return { className: value, config: {} };
  if (isObject(value) && typeof value.class_name === 'string') return { className: value.class_name, config: isObject(value.config) ? value.config : {} };
  return undefined;
}

/** Keras L1 / L2 / L1L2 (and their function names) → tfjs's one L1L2 class; others undefined. */
function regularizer(value: Json): Json | undefined {
  const parts = split(value);
  if (!parts) return undefined;
  const num = (v: Json, fallback: number) => (typeof v === 'number' ? v : fallback);
  switch (parts.className) {
    // Keras' defaults for the bare names (`kernel_regularizer="l2"`) are 0.01.
    case 'L1': case 'l1': return { class_name: 'L1L2', config: { l1: num(parts.config.l1, 0.01), l2: 0 } };
    case 'L2': case 'l2': return { class_name: 'L1L2', config: { l1: 0, l2: num(parts.config.l2, 0.01) } };
    case 'L1L2': case 'l1_l2': return { class_name: 'L1L2', config: { l1: num(parts.config.l1, 0), l2: num(parts.config.l2, 0) } };
    default: return undefined;
  }
}

function initializer(value: Json): Json | undefined {
  const parts = split(value);
  if (!parts) return undefined;
  const className = INITIALIZER_NAMES[parts.className] ?? parts.className;
  if (!TFJS_INITIALIZERS.has(className)) return undefined;
  const config = { ...parts.config };
  // TF 2.x writes 'untruncated_normal' for the plain normal distribution; tfjs calls it 'normal'.
  if (className === 'VarianceScaling' && config.distribution === 'untruncated_normal') config.distribution = 'normal';
  return { class_name: className, config };
}

function constraint(value: Json): Json | undefined {
  const parts = split(value);
  if (!parts) return undefined;
  const className = CONSTRAINT_NAMES[parts.className] ?? parts.className;
  return TFJS_CONSTRAINTS.has(className) ? { class_name: className, config: parts.config } : undefined;
}

function describe(value: Json): string {
  const parts = split(value);
  return parts ? parts.className : JSON.stringify(value);
}

/**
 * Rewrites `*_initializer`, `*_regularizer` (incl. `activity_regularizer`) and `*_constraint`
 * options of one layer config in place. Returns notes for what was dropped.
 */
export function normalizeTrainingOptions(config: Record<string, Json>, layerName: string): string[] {
  const notes: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    let mapped: Json | undefined;
    let kind: string;
    if (key === 'activity_regularizer') {
      // tfjs-layers refuses to call a layer that has one ("not supported yet").
      delete config[key];
      notes.push(`layer "${layerName}": activity_regularizer ${describe(value)} dropped (TF.js layers cannot run activity regularizers; fine-tuning runs without it)`);
      continue;
    }
    if (key.endsWith('_regularizer')) [mapped, kind] = [regularizer(value), 'regularizer'];
    else if (key.endsWith('_initializer')) [mapped, kind] = [initializer(value), 'initializer'];
    else if (key.endsWith('_constraint')) [mapped, kind] = [constraint(value), 'constraint'];
    else continue;
    if (mapped !== undefined) config[key] = mapped;
    else {
      delete config[key];
      notes.push(`layer "${layerName}": ${key} ${describe(value)} dropped (no TF.js ${kind} for it; it only shaped the original training)`);
    }
  }
  return notes;
}

/**
 * A Keras `axis` option (3, -1, [3], [-1]) → one integer. A multi-axis list is refused with the
 * layer named. The sign is kept: converters normalise it against the input rank they see.
 */
export function singleAxis(value: Json, layerName: string, className: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1 || typeof list[0] !== 'number' || !Number.isInteger(list[0])) {
    throw new ModelImportError(`layer "${layerName}" (${className}) uses axis=${JSON.stringify(value)}; only one axis is supported`);
  }
  return list[0];
}
