// Subtract → SUB, Maximum → MAXIMUM, Minimum → MINIMUM (chained for more than two inputs), and
// Normalization folded into one MUL and one ADD on its input.
import { tf } from '../../backend/index.ts';
import type { Normalization } from '../../layers/normalization.ts';
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';
import { registerOpSpec } from '../op-specs.ts';
import type { OperatorOptions } from '../tflite-model.ts';
import type { BuiltinOperatorName } from '../tflite-schema.ts';

function chain(type: BuiltinOperatorName, options: OperatorOptions) {
  return (c: LayerConversion): number[] => {
    if (type === 'SUB' && c.inputs.length !== 2) throw new UnsupportedLayerError(`layer '${c.layer.name}' (Subtract) needs exactly two inputs`);
    let x = c.inputs[0];
    for (let i = 1; i < c.inputs.length; i++) {
      const name = i === c.inputs.length - 1 ? c.layer.name : `${c.layer.name}/${i}`;
      x = c.graph.addOp(type, [x, c.inputs[i]], name, c.outputShapes[0], options);
    }
    return [x];
  };
}

function convertNormalization(c: LayerConversion): number[] {
  const g = c.graph;
  const shape = g.tensors[c.inputs[0]].shape;
  const channels = shape[shape.length - 1];
  const layer = c.layer as unknown as Normalization;
  const { mean, variance } = layer.statistics(channels);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let i = 0; i < channels; i++) {
    const std = Math.max(Math.sqrt(variance[i]), 1e-7);
    scale[i] = layer.invert ? std : 1 / std;
    shift[i] = layer.invert ? mean[i] : -mean[i] / std;
  }
  const s = g.addConstant(`${c.layer.name}/scale`, [channels], scale);
  const t = g.addConstant(`${c.layer.name}/shift`, [channels], shift);
  const y = g.addOp('MUL', [c.inputs[0], s], `${c.layer.name}/mul`, shape, { kind: 'MulOptions', activation: 'NONE' });
  return [g.addOp('ADD', [y, t], c.layer.name, shape, { kind: 'AddOptions', activation: 'NONE' })];
}

registerLayerConverter('Subtract', chain('SUB', { kind: 'SubOptions', activation: 'NONE' }));
registerLayerConverter('Maximum', chain('MAXIMUM', { kind: 'MaximumMinimumOptions' }));
registerLayerConverter('Minimum', chain('MINIMUM', { kind: 'MaximumMinimumOptions' }));
registerLayerConverter('Normalization', convertNormalization);

for (const [type, fn] of [['MAXIMUM', tf.maximum], ['MINIMUM', tf.minimum]] as const) {
  registerOpSpec(type, {
    versions: { float: 1, int8: 2 },
    int8Output: 'tied', // the int8 kernels compare raw values: inputs and output share one scale
    run: ([a, b]) => fn(a, b),
  });
}
