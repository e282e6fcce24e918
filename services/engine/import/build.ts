// Builds a tfjs LayersModel from a normalised config and sets weights layer by layer, checking
// counts and shapes so a mismatched file fails with the layer named.
import { tf } from '../backend/index.ts';
import { ModelImportError } from './errors.ts';
import type { NormalizedModel } from './keras-config.ts';
import type { ModelSignature, TensorSpec } from './types.ts';

export interface WeightValue {
  shape: number[];
  values: Float32Array | Int32Array;
}

/** Weight values per layer name, in the layer's weight order (kernel, bias, ...). */
export type LayerWeights = Map<string, WeightValue[]>;

export async function buildLayersModel(normalized: NormalizedModel): Promise<tf.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: normalized.topology as unknown as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
  } catch (error) {
    throw new ModelImportError(`cannot build the model from its config: ${(error as Error).message}`);
  }
}

export function setLayerWeights(model: tf.LayersModel, weights: LayerWeights): void {
  for (const layer of model.layers) {
    const expected = layer.weights;
    if (expected.length === 0) continue;
    const values = weights.get(layer.name);
    if (!values) throw new ModelImportError(`weights for layer "${layer.name}" are missing from the file`);
    if (values.length !== expected.length) {
      throw new ModelImportError(`layer "${layer.name}" expects ${expected.length} weights, the file holds ${values.length}`);
    }
    const tensors = values.map((w, i) => {
      const want = expected[i].shape;
      if (w.shape.length !== want.length || w.shape.some((d, k) => d !== want[k])) {
        throw new ModelImportError(`layer "${layer.name}" weight ${expected[i].originalName}: file shape [${w.shape.join(', ')}], model expects [${want.join(', ')}]`);
      }
      return tf.tensor(w.values, w.shape, expected[i].dtype);
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}

function spec(name: string, shape: (number | null)[], dtype: string): TensorSpec {
  return { name, shape: shape.map((d) => (d === null || d === undefined || d < 0 ? null : d)), dtype };
}

export function layersSignature(model: tf.LayersModel): ModelSignature {
  return {
    // Layer names (stable across loads); tensor names get session-unique suffixes in tfjs.
    inputs: model.inputs.map((t) => spec(t.sourceLayer?.name ?? t.name, t.shape, t.dtype)),
    outputs: model.outputs.map((t) => spec(t.sourceLayer?.name ?? t.name, t.shape, t.dtype)),
  };
}

export function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
