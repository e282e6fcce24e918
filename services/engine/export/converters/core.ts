// Dense, activations, shape layers, Rescaling and the layers that vanish at inference (Dropout...).
import {
  appendActivation, registerLayerConverter, UnsupportedLayerError, withActivation, type LayerConversion,
} from '../layer-converters.ts';

function convertDense(c: LayerConversion): number[] {
  const g = c.graph;
  const inShape = g.tensors[c.inputs[0]].shape;
  const kernel = c.requireWeight('kernel'); // [in, out]
  if (inShape.length > 2) {
    // Dense on [batch, ..., in] (e.g. a squeeze-and-excitation block after Reshape(1, 1, C)):
    // FULLY_CONNECTED on the flattened rows, then back to the Keras output shape.
    const rows = g.addIntConstant(`${c.layer.name}/rows`, [-1, kernel.shape[0]]);
    const flat = g.addOp('RESHAPE', [c.inputs[0], rows], `${c.layer.name}/rows`, [-1, kernel.shape[0]], { kind: 'ReshapeOptions', newShape: [-1, kernel.shape[0]] });
    const inner = convertDenseRows(c, flat, `${c.layer.name}/dense`);
    const target = c.outputShapes[0].map((d, i) => (i === 0 ? -1 : d));
    const shape = g.addIntConstant(`${c.layer.name}/shape`, target);
    return [g.addOp('RESHAPE', [inner, shape], c.layer.name, target, { kind: 'ReshapeOptions', newShape: target })];
  }
  return [convertDenseRows(c, c.inputs[0], c.layer.name)];
}

/** FULLY_CONNECTED (+ activation) on a [batch, in] tensor. */
function convertDenseRows(c: LayerConversion, input: number, name: string): number {
  const g = c.graph;
  const kernel = c.requireWeight('kernel'); // [in, out]
  const [ni, no] = kernel.shape;
  const transposed = new Float32Array(kernel.values.length); // → [out, in]
  for (let i = 0; i < ni; i++) for (let o = 0; o < no; o++) transposed[o * ni + i] = kernel.values[i * no + o];
  const w = g.addConstant(`${c.layer.name}/kernel`, [no, ni], transposed);
  const bias = c.config.useBias === false ? undefined : c.weight('bias');
  const b = g.addConstant(`${c.layer.name}/bias`, [no], bias ? bias.values : new Float32Array(no));
  return withActivation(c, c.config.activation, (activation) =>
    g.addOp('FULLY_CONNECTED', [input, w, b], name, [-1, no], { kind: 'FullyConnectedOptions', activation }));
}

function convertActivation(c: LayerConversion): number[] {
  return [appendActivation(c, c.inputs[0], c.config.activation ?? 'linear', c.layer.name)];
}

function convertReLU(c: LayerConversion): number[] {
  const max = c.config.maxValue;
  if (max === null || max === undefined) return [appendActivation(c, c.inputs[0], 'relu', c.layer.name)];
  if (max === 6) return [appendActivation(c, c.inputs[0], 'relu6', c.layer.name)];
  throw new UnsupportedLayerError(`layer '${c.layer.name}' (ReLU): maxValue ${max} is not supported (only none or 6)`);
}

function convertSoftmax(c: LayerConversion): number[] {
  const rank = c.graph.tensors[c.inputs[0]].shape.length;
  const axis = c.config.axis ?? -1;
  if (axis !== -1 && axis !== rank - 1) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (Softmax): only the last axis is supported, got axis ${axis}`);
  }
  return [appendActivation(c, c.inputs[0], 'softmax', c.layer.name)];
}

/** Flatten and Reshape: the Keras output shape is fully known, so reshape straight to it. */
function convertReshape(c: LayerConversion): number[] {
  const target = c.outputShapes[0].map((d, i) => (i === 0 ? -1 : d));
  if (target.slice(1).some((d) => d < 0)) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (${c.className}): output shape [${c.outputShapes[0]}] is not fully known`);
  }
  const shape = c.graph.addIntConstant(`${c.layer.name}/shape`, target);
  return [c.graph.addOp('RESHAPE', [c.inputs[0], shape], c.layer.name, target, { kind: 'ReshapeOptions', newShape: target })];
}

/** Rescaling: x·scale + offset as MUL then ADD with scalar constants. */
function convertRescaling(c: LayerConversion): number[] {
  const g = c.graph;
  const scale = Number(c.config.scale ?? 1);
  const offset = Number(c.config.offset ?? 0);
  const shape = g.tensors[c.inputs[0]].shape;
  let x = c.inputs[0];
  if (scale !== 1) {
    const s = g.addConstant(`${c.layer.name}/scale`, [1], Float32Array.of(scale));
    x = g.addOp('MUL', [x, s], offset === 0 ? c.layer.name : `${c.layer.name}/mul`, shape, { kind: 'MulOptions', activation: 'NONE' });
  }
  if (offset !== 0) {
    const o = g.addConstant(`${c.layer.name}/offset`, [1], Float32Array.of(offset));
    x = g.addOp('ADD', [x, o], c.layer.name, shape, { kind: 'AddOptions', activation: 'NONE' });
  }
  return [x];
}

const identity = (c: LayerConversion): number[] => [c.inputs[0]];

registerLayerConverter('Dense', convertDense);
registerLayerConverter('Activation', convertActivation);
registerLayerConverter('ReLU', convertReLU);
registerLayerConverter('Softmax', convertSoftmax);
registerLayerConverter('Flatten', convertReshape);
registerLayerConverter('Reshape', convertReshape);
registerLayerConverter('Rescaling', convertRescaling);
for (const name of ['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']) {
  registerLayerConverter(name, identity);
}
