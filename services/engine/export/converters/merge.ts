// Add, Multiply, Concatenate and BatchNormalization (as MUL+ADD; the optimisation pass folds it
// into a preceding conv/dense when that is exact).
import {
  normalizeAxis, registerLayerConverter, UnsupportedLayerError, type LayerConversion,
} from '../layer-converters.ts';

function elementwise(type: 'ADD' | 'MUL') {
  return (c: LayerConversion): number[] => {
    let x = c.inputs[0];
    for (let i = 1; i < c.inputs.length; i++) {
      const name = i === c.inputs.length - 1 ? c.layer.name : `${c.layer.name}/${i}`;
      x = c.graph.addOp(type, [x, c.inputs[i]], name, c.outputShapes[0],
        type === 'ADD' ? { kind: 'AddOptions', activation: 'NONE' } : { kind: 'MulOptions', activation: 'NONE' });
    }
    return [x];
  };
}

function convertConcatenate(c: LayerConversion): number[] {
  const rank = c.outputShapes[0].length;
  const axis = normalizeAxis(c.config.axis ?? -1, rank);
  return [c.graph.addOp('CONCATENATION', c.inputs, c.layer.name, c.outputShapes[0], { kind: 'ConcatenationOptions', axis, activation: 'NONE' })];
}

function convertBatchNormalization(c: LayerConversion): number[] {
  const g = c.graph;
  const shape = g.tensors[c.inputs[0]].shape;
  const axis = normalizeAxis(c.config.axis ?? -1, shape.length);
  if (axis !== shape.length - 1) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (BatchNormalization): only the channels-last axis is supported, got axis ${c.config.axis}`);
  }
  const mean = c.requireWeight('moving_mean').values;
  const variance = c.requireWeight('moving_variance').values;
  const gamma = c.weight('gamma')?.values;
  const beta = c.weight('beta')?.values;
  const eps = Number(c.config.epsilon ?? 1e-3);
  const n = mean.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
    shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
  }
  const s = g.addConstant(`${c.layer.name}/scale`, [n], scale);
  const t = g.addConstant(`${c.layer.name}/shift`, [n], shift);
  const y = g.addOp('MUL', [c.inputs[0], s], `${c.layer.name}/mul`, shape, { kind: 'MulOptions', activation: 'NONE' });
  return [g.addOp('ADD', [y, t], c.layer.name, shape, { kind: 'AddOptions', activation: 'NONE' })];
}

registerLayerConverter('Add', elementwise('ADD'));
registerLayerConverter('Multiply', elementwise('MUL'));
registerLayerConverter('Concatenate', convertConcatenate);
registerLayerConverter('BatchNormalization', convertBatchNormalization);
