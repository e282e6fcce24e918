// Spatial layers: ZeroPadding2D → PAD, Cropping2D → STRIDED_SLICE, UpSampling2D →
// RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR, GlobalMaxPooling1D/2D → MAX_POOL_2D over the whole
// map + RESHAPE (runs in every runtime, unlike REDUCE_MAX), Permute → TRANSPOSE.
import { tf } from '../../backend/index.ts';
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';
import { registerOpSpec } from '../op-specs.ts';
import { requireChannelsLast } from './conv.ts';

/** [[top, bottom], [left, right]] from a Keras/tfjs padding or cropping option. */
function pairs(v: number | number[] | number[][] | undefined, what: string, c: LayerConversion): [[number, number], [number, number]] {
  if (typeof v === 'number') return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const [h, w] = v as (number | number[])[];
    const pair = (p: number | number[]): [number, number] => (typeof p === 'number' ? [p, p] : [p[0], p[1] ?? p[0]]);
    return [pair(h), pair(w)];
  }
  throw new UnsupportedLayerError(`layer '${c.layer.name}' (${c.className}): cannot read ${what} ${JSON.stringify(v)}`);
}

function intMatrix(c: LayerConversion, name: string, rows: number[][]): number {
  const id = c.graph.addIntConstant(name, rows.flat());
  c.graph.tensors[id].shape = [rows.length, rows[0].length];
  return id;
}

function convertZeroPadding2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const [[t, b], [l, r]] = pairs(c.config.padding, 'padding', c);
  const paddings = intMatrix(c, `${c.layer.name}/paddings`, [[0, 0], [t, b], [l, r], [0, 0]]);
  return [c.graph.addOp('PAD', [c.inputs[0], paddings], c.layer.name, c.outputShapes[0], { kind: 'PadOptions' })];
}

/** STRIDED_SLICE with the batch and channel axes masked to "all" (a dynamic batch cannot be sized). */
function convertCropping2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const [[t], [l]] = pairs(c.config.cropping, 'cropping', c);
  const [, oh, ow] = c.outputShapes[0];
  const begin = c.graph.addIntConstant(`${c.layer.name}/begin`, [0, t, l, 0]);
  const end = c.graph.addIntConstant(`${c.layer.name}/end`, [0, t + oh, l + ow, 0]);
  const strides = c.graph.addIntConstant(`${c.layer.name}/strides`, [1, 1, 1, 1]);
  const mask = 0b1001;
  return [c.graph.addOp('STRIDED_SLICE', [c.inputs[0], begin, end, strides], c.layer.name, c.outputShapes[0], { kind: 'StridedSliceOptions', beginMask: mask, endMask: mask })];
}

function convertUpSampling2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const [, oh, ow] = c.outputShapes[0];
  const size = c.graph.addIntConstant(`${c.layer.name}/size`, [oh, ow]);
  // tfjs (which trains and evaluates the model) resizes without half-pixel centres.
  const options = { alignCorners: false, halfPixelCenters: false };
  const interpolation = c.config.interpolation ?? 'nearest';
  if (interpolation === 'nearest') {
    return [c.graph.addOp('RESIZE_NEAREST_NEIGHBOR', [c.inputs[0], size], c.layer.name, c.outputShapes[0], { kind: 'ResizeNearestNeighborOptions', ...options })];
  }
  if (interpolation === 'bilinear') {
    return [c.graph.addOp('RESIZE_BILINEAR', [c.inputs[0], size], c.layer.name, c.outputShapes[0], { kind: 'ResizeBilinearOptions', ...options })];
  }
  throw new UnsupportedLayerError(`layer '${c.layer.name}' (UpSampling2D): interpolation '${interpolation}' is not supported (nearest, bilinear)`);
}

function globalMax2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const g = c.graph;
  const [, h, w, ch] = g.tensors[c.inputs[0]].shape;
  const pooled = g.addOp('MAX_POOL_2D', [c.inputs[0]], `${c.layer.name}/pool`, [-1, 1, 1, ch], {
    kind: 'Pool2DOptions', padding: 'VALID', strideW: 1, strideH: 1, filterW: w, filterH: h, activation: 'NONE',
  });
  const shape = g.addIntConstant(`${c.layer.name}/shape`, [-1, ch]);
  return [g.addOp('RESHAPE', [pooled, shape], c.layer.name, [-1, ch], { kind: 'ReshapeOptions', newShape: [-1, ch] })];
}

function globalMax1D(c: LayerConversion): number[] {
  const g = c.graph;
  const [, steps, ch] = g.tensors[c.inputs[0]].shape;
  const s4 = g.addIntConstant(`${c.layer.name}/shape4d`, [-1, 1, steps, ch]);
  const x4 = g.addOp('RESHAPE', [c.inputs[0], s4], `${c.layer.name}/as2d`, [-1, 1, steps, ch], { kind: 'ReshapeOptions', newShape: [-1, 1, steps, ch] });
  const pooled = g.addOp('MAX_POOL_2D', [x4], `${c.layer.name}/pool`, [-1, 1, 1, ch], {
    kind: 'Pool2DOptions', padding: 'VALID', strideW: 1, strideH: 1, filterW: steps, filterH: 1, activation: 'NONE',
  });
  const shape = g.addIntConstant(`${c.layer.name}/shape`, [-1, ch]);
  return [g.addOp('RESHAPE', [pooled, shape], c.layer.name, [-1, ch], { kind: 'ReshapeOptions', newShape: [-1, ch] })];
}

function convertPermute(c: LayerConversion): number[] {
  const dims = c.config.dims as number[];
  const perm = [0, ...dims];
  const id = c.graph.addIntConstant(`${c.layer.name}/perm`, perm);
  return [c.graph.addOp('TRANSPOSE', [c.inputs[0], id], c.layer.name, c.outputShapes[0], { kind: 'TransposeOptions' })];
}

registerLayerConverter('ZeroPadding2D', convertZeroPadding2D);
registerLayerConverter('Cropping2D', convertCropping2D);
registerLayerConverter('UpSampling2D', convertUpSampling2D);
registerLayerConverter('GlobalMaxPooling2D', globalMax2D);
registerLayerConverter('GlobalMaxPooling1D', globalMax1D);
registerLayerConverter('Permute', convertPermute);

const ints = (op: { inputs: number[] }, graph: { tensors: { intValue?: Int32Array }[] }, i: number) => Array.from(graph.tensors[op.inputs[i]].intValue ?? []);

registerOpSpec('PAD', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied', // padded zeros are the zero point: no rescaling
  intInputs: [1],
  run([x], op, graph) {
    const p = ints(op, graph, 1);
    return tf.pad(x, Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]] as [number, number]));
  },
});

registerOpSpec('STRIDED_SLICE', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  intInputs: [1, 2, 3],
  run([x], op, graph) {
    const o = op.options?.kind === 'StridedSliceOptions' ? op.options : { beginMask: 0, endMask: 0 };
    return tf.stridedSlice(x, ints(op, graph, 1), ints(op, graph, 2), ints(op, graph, 3), o.beginMask, o.endMask);
  },
});

registerOpSpec('TRANSPOSE', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  intInputs: [1],
  run: ([x], op, graph) => tf.transpose(x, ints(op, graph, 1)),
});

registerOpSpec('RESIZE_NEAREST_NEIGHBOR', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  intInputs: [1],
  run([x], op, graph) {
    const [h, w] = ints(op, graph, 1);
    return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [h, w], false, false);
  },
});

registerOpSpec('RESIZE_BILINEAR', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  intInputs: [1],
  run([x], op, graph) {
    const [h, w] = ints(op, graph, 1);
    return tf.image.resizeBilinear(x as tf.Tensor4D, [h, w], false, false);
  },
});
