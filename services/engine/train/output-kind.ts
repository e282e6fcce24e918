// What a classifier's output means: a softmax distribution, logits, or — for binary
// classifiers written the Keras way — one sigmoid unit (the probability of class 1).
import type { tf } from '../backend/index.ts';

/** True when the model has one output unit behind a sigmoid: a binary classifier whose output is
 * P(class 1), read with threshold 0.5. */
export function isSigmoidBinary(model: tf.LayersModel): boolean {
  const width = model.outputs[0]?.shape.at(-1);
  return width === 1 && lastActivation(model) === 'sigmoid';
}

/** The last layer's activation ('softmax' also for a `Softmax` layer), when it has one. */
export function lastActivation(model: tf.LayersModel): string | undefined {
  const last = model.layers[model.layers.length - 1];
  if (!last) return undefined;
  if (last.getClassName() === 'Softmax') return 'softmax';
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : undefined;
}

/** False when the output already is a probability (a softmax, or one sigmoid unit); true for logits. */
export function outputsLogits(model: tf.LayersModel): boolean {
  return !(lastActivation(model) === 'softmax' || isSigmoidBinary(model));
}
