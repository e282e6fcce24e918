// Whether a classifier's output is logits — what `fromLogits` of the host's losses must be told.
import type { LayersModel } from '../tf.ts';

/** False when the model's output already is a probability: its last layer is a `Softmax` layer or
 * has a softmax activation, or it is one sigmoid unit (a binary classifier's P(class 1), since
 * SDK 1.3.0); true otherwise (logits). */
export function outputsLogits(model: LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  if (!last) return true;
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  if (last.getClassName() === 'Softmax' || activation === 'softmax') return false;
  return !(activation === 'sigmoid' && model.outputs[0]?.shape.at(-1) === 1);
}
