// Max/Average pooling 1D/2D → MAX_POOL_2D / AVERAGE_POOL_2D (1D through a [b, 1, steps, c]
// reshape); GlobalAveragePooling 1D/2D → MEAN over the spatial axes (1D over a masked Embedding:
// the mean of the unmasked steps).
import { registerLayerConverter, type LayerConversion } from '../layer-converters.ts';
import type { BuiltinOperatorName } from '../tflite-schema.ts';
import { requireChannelsLast, tflitePadding } from './conv.ts';

function asArray(v: number | number[] | null | undefined): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? [v] : v;
}

function pool2d(op: BuiltinOperatorName) {
  return (c: LayerConversion): number[] => {
    requireChannelsLast(c);
    const size = asArray(c.config.poolSize) ?? [2, 2];
    const [fh, fw] = [size[0], size[1] ?? size[0]];
    const strides = asArray(c.config.strides) ?? [fh, fw];
    const [sh, sw] = [strides[0], strides[1] ?? strides[0]];
    return [c.graph.addOp(op, [c.inputs[0]], c.layer.name, c.outputShapes[0], {
      kind: 'Pool2DOptions', padding: tflitePadding(c), strideW: sw, strideH: sh, filterW: fw, filterH: fh, activation: 'NONE',
    })];
  };
}

function pool1d(op: BuiltinOperatorName) {
  return (c: LayerConversion): number[] => {
    const g = c.graph;
    const [, steps, channels] = g.tensors[c.inputs[0]].shape;
    const [, outSteps] = c.outputShapes[0];
    const size = (asArray(c.config.poolSize) ?? [2])[0];
    const stride = (asArray(c.config.strides) ?? [size])[0];
    const s4 = g.addIntConstant(`${c.layer.name}/shape4d`, [-1, 1, steps, channels]);
    const x4 = g.addOp('RESHAPE', [c.inputs[0], s4], `${c.layer.name}/as2d`, [-1, 1, steps, channels], { kind: 'ReshapeOptions', newShape: [-1, 1, steps, channels] });
    const y4 = g.addOp(op, [x4], `${c.layer.name}/pool2d`, [-1, 1, outSteps, channels], {
      kind: 'Pool2DOptions', padding: tflitePadding(c), strideW: stride, strideH: 1, filterW: size, filterH: 1, activation: 'NONE',
    });
    const s3 = g.addIntConstant(`${c.layer.name}/shape3d`, [-1, outSteps, channels]);
    return [g.addOp('RESHAPE', [y4, s3], c.layer.name, [-1, outSteps, channels], { kind: 'ReshapeOptions', newShape: [-1, outSteps, channels] })];
  };
}

/** GlobalAveragePooling1D over an Embedding(mask_zero) output: Σ(x·m)/max(Σm, 1) over the steps,
 * written as MEAN(x·m) / MAXIMUM(MEAN(m), 1/steps) so it needs only MEAN, MUL, MAXIMUM and DIV. */
function maskedAverage1D(c: LayerConversion, mask: number): number {
  const g = c.graph;
  const name = c.layer.name;
  const [, steps, dim] = g.tensors[c.inputs[0]].shape;
  const axis = g.addIntConstant(`${name}/axes`, [1]);
  const masked = g.addOp('MUL', [c.inputs[0], mask], `${name}/masked`, [-1, steps, dim], { kind: 'MulOptions', activation: 'NONE' });
  const sum = g.addOp('MEAN', [masked, axis], `${name}/masked_mean`, [-1, dim], { kind: 'ReducerOptions', keepDims: false });
  const share = g.addOp('MEAN', [mask, axis], `${name}/valid_share`, [-1, 1], { kind: 'ReducerOptions', keepDims: false });
  const floor = g.addConstant(`${name}/one_step`, [1], Float32Array.of(1 / steps));
  const denominator = g.addOp('MAXIMUM', [share, floor], `${name}/valid_share_floored`, [-1, 1], { kind: 'MaximumMinimumOptions' });
  return g.addOp('DIV', [sum, denominator], name, [-1, dim], { kind: 'DivOptions', activation: 'NONE' });
}

function globalAverage(axes: number[]) {
  return (c: LayerConversion): number[] => {
    requireChannelsLast(c);
    const mask = axes.length === 1 ? c.graph.masks.get(c.inputs[0]) : undefined;
    if (mask !== undefined) return [maskedAverage1D(c, mask)];
    const axis = c.graph.addIntConstant(`${c.layer.name}/axes`, axes);
    return [c.graph.addOp('MEAN', [c.inputs[0], axis], c.layer.name, c.outputShapes[0], { kind: 'ReducerOptions', keepDims: false })];
  };
}

registerLayerConverter('MaxPooling2D', pool2d('MAX_POOL_2D'));
registerLayerConverter('AveragePooling2D', pool2d('AVERAGE_POOL_2D'));
registerLayerConverter('MaxPooling1D', pool1d('MAX_POOL_2D'));
registerLayerConverter('AveragePooling1D', pool1d('AVERAGE_POOL_2D'));
registerLayerConverter('GlobalAveragePooling2D', globalAverage([1, 2]));
registerLayerConverter('GlobalAveragePooling1D', globalAverage([1]));
