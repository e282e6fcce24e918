// LeakyReLU → LEAKY_RELU, PReLU → RELU/SUB/MUL/ADD, ELU → ELU, and the op specs of the
// activation ops that have no fused form (LEAKY_RELU, ELU, HARD_SWISH).
import { tf } from '../../backend/index.ts';
import { hardSwish } from '../../layers/hard-swish.ts';
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';
import { registerOpSpec } from '../op-specs.ts';

function convertLeakyReLU(c: LayerConversion): number[] {
  const alpha = Number(c.config.alpha ?? 0.3);
  const shape = c.graph.tensors[c.inputs[0]].shape;
  return [c.graph.addOp('LEAKY_RELU', [c.inputs[0]], c.layer.name, shape, { kind: 'LeakyReluOptions', alpha })];
}

/**
 * PReLU as relu(x) + alpha · (x − relu(x)): RELU, SUB, MUL, ADD run in every runtime (Arm NN
 * 20.08 has no PRELU). Alpha has the input's per-sample shape with 1 on shared axes (broadcast).
 */
function convertPReLU(c: LayerConversion): number[] {
  const alpha = c.requireWeight('alpha');
  const g = c.graph;
  const shape = g.tensors[c.inputs[0]].shape;
  if (alpha.shape.length !== shape.length - 1) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (PReLU): alpha of shape [${alpha.shape}] does not match input [${shape}]`);
  }
  const name = c.layer.name;
  const a = g.addConstant(`${name}/alpha`, alpha.shape, alpha.values);
  const pos = g.addOp('RELU', [c.inputs[0]], `${name}/positive`, shape);
  const neg = g.addOp('SUB', [c.inputs[0], pos], `${name}/negative`, shape, { kind: 'SubOptions', activation: 'NONE' });
  const scaled = g.addOp('MUL', [neg, a], `${name}/scaled`, shape, { kind: 'MulOptions', activation: 'NONE' });
  return [g.addOp('ADD', [pos, scaled], name, shape, { kind: 'AddOptions', activation: 'NONE' })];
}

function convertELU(c: LayerConversion): number[] {
  const alpha = Number(c.config.alpha ?? 1);
  if (alpha !== 1) throw new UnsupportedLayerError(`layer '${c.layer.name}' (ELU): alpha ${alpha} is not supported (TFLite's ELU has alpha 1)`);
  return [c.graph.addOp('ELU', [c.inputs[0]], c.layer.name, c.graph.tensors[c.inputs[0]].shape)];
}

registerLayerConverter('LeakyReLU', convertLeakyReLU);
registerLayerConverter('PReLU', convertPReLU);
registerLayerConverter('ELU', convertELU);

registerOpSpec('LEAKY_RELU', {
  versions: { float: 1, int8: 2 },
  int8Output: 'calibrated',
  run([x], op) {
    const alpha = op.options?.kind === 'LeakyReluOptions' ? op.options.alpha : 0.2;
    return tf.leakyRelu(x, alpha);
  },
});

registerOpSpec('ELU', {
  versions: { float: 1, int8: 2 },
  // TFLite's int8 ELU (version 2) is missing from common runtimes (tfjs-tflite's build refuses
  // it): ELU stays float in int8 models, between DEQUANTIZE and QUANTIZE.
  int8Output: 'float',
  run: ([x]) => tf.elu(x),
});

registerOpSpec('HARD_SWISH', {
  versions: { float: 1, int8: 1 },
  int8Output: 'calibrated',
  run: ([x]) => hardSwish(x),
});
