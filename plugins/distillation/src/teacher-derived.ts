// Students derived from the teacher itself: the teacher's own architecture with every
// convolution's filters and every hidden dense layer's units scaled by a width multiplier, freshly
// initialised (seeded) and then distilled — the "thin" version of the teacher that FitNets
// (Romero et al. 2015, arXiv 1412.6550) and Minitron (Muralidharan et al. 2024, "Compact
// Language Models via Pruning and Knowledge Distillation", arXiv 2407.14679) start from. Layers
// whose channels must match (the inputs of an Add) are scaled alike, so residual nets stay valid.
// The classifier (the last Dense layer) keeps one unit per class.
import type { LayersModel, Tf } from '@condense/plugin-sdk';

type LayerJson = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown };
type ModelJson = { class_name: string; config: { name?: string; layers: LayerJson[]; input_layers?: unknown; output_layers?: unknown } | LayerJson[] };

const WIDTH_KEYS: Record<string, string> = { Conv1D: 'filters', Conv2D: 'filters', SeparableConv2D: 'filters', Conv2DTranspose: 'filters', Dense: 'units' };
const UNSEEDED = new Set(['Zeros', 'Ones', 'Constant', 'Identity', 'Orthogonal']);

/** Renames layer references inside a functional model's inbound_nodes / input_layers / output_layers. */
function renameRefs(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) {
    if (typeof value[0] === 'string' && typeof value[1] === 'number') return [rename(value[0]), ...value.slice(1).map((v) => renameRefs(v, rename))];
    return value.map((v) => renameRefs(v, rename));
  }
  return value;
}

function reseed(config: Record<string, unknown>, nextSeed: () => number): void {
  for (const [key, value] of Object.entries(config)) {
    if (!key.endsWith('_initializer') || !value || typeof value !== 'object') continue;
    const init = value as { class_name?: string; config?: Record<string, unknown> };
    if (init.class_name && !UNSEEDED.has(init.class_name)) init.config = { ...(init.config ?? {}), seed: nextSeed() };
  }
}

/**
 * The teacher's architecture at `width` × its channels, named `<name>_…`, with seeded fresh
 * weights. Throws when the teacher has no layer the width applies to.
 */
export async function narrowTeacher(tf: Tf, teacher: LayersModel, width: number, name: string, seed: number): Promise<LayersModel> {
  if (!(width > 0 && width <= 1)) throw new Error(`a teacher-derived student needs a width in (0, 1], got ${width}`);
  const json = JSON.parse(JSON.stringify(teacher.toJSON(null, false))) as ModelJson;
  const layers = Array.isArray(json.config) ? json.config : json.config.layers;
  const scalable = layers.map((l, i) => (WIDTH_KEYS[l.class_name] ? i : -1)).filter((i) => i >= 0);
  // The classifier: the last layer with a width key keeps its size.
  const classifier = scalable.at(-1);
  if (scalable.length < 2) throw new Error(`the teacher has no hidden convolution or dense layer to narrow (layers: ${layers.map((l) => l.class_name).join(', ')})`);
  let s = seed * 1000;
  const prefix = (n: string) => `${name}_${n}`;
  for (const [i, layer] of layers.entries()) {
    const key = WIDTH_KEYS[layer.class_name];
    if (key && i !== classifier) {
      const base = Number(layer.config[key]);
      layer.config[key] = Math.max(key === 'units' ? 8 : 4, Math.round(base * width));
    }
    reseed(layer.config, () => s++);
    if (typeof layer.config.name === 'string') layer.config.name = prefix(layer.config.name);
    if (typeof layer.name === 'string') layer.name = prefix(layer.name);
    if (layer.inbound_nodes) layer.inbound_nodes = renameRefs(layer.inbound_nodes, prefix);
  }
  if (!Array.isArray(json.config)) {
    json.config.name = name;
    if (json.config.input_layers) json.config.input_layers = renameRefs(json.config.input_layers, prefix);
    if (json.config.output_layers) json.config.output_layers = renameRefs(json.config.output_layers, prefix);
  }
  return tf.models.modelFromJSON({ modelTopology: json as never });
}
