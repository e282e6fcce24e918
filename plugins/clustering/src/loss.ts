// The host's cross-entropy, told whether the model ends in a softmax or outputs logits.
import type { LayersModel, PluginContext, Tensor } from '@condense/plugin-sdk';

/** True when the model's output already is a probability distribution (a final softmax). */
export function outputsProbabilities(model: LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as { activation?: string };
  return last.getClassName() === 'Softmax' || config.activation === 'softmax';
}

/** Mean cross-entropy of the model's output [n, classes] against integer labels [n]. */
export function lossFor(ctx: PluginContext, model: LayersModel): (output: Tensor, labels: Tensor) => Tensor {
  const fromLogits = !outputsProbabilities(model);
  return (output, labels) => ctx.train.losses.sparseCategoricalCrossEntropy(output, labels, fromLogits);
}
