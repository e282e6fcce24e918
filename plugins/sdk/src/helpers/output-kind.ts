// Whether a classifier ends in a softmax — what `fromLogits` of the host's losses must be told.
import type { LayersModel } from '../tf.ts';

/** False when the model's last layer is a `Softmax` layer or has a softmax activation (its output
 * already is a probability distribution); true otherwise (logits). */
export function outputsLogits(model: LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  if (!last) return true;
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  return !(last.getClassName() === 'Softmax' || activation === 'softmax');
}
