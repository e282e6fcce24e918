// Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D → CONV_2D / DEPTHWISE_CONV_2D; Conv2DTranspose →
// TRANSPOSE_CONV (+ ADD for its bias).
// Layouts: tfjs conv kernels are HWIO, TFLite wants OHWI; tfjs depthwise kernels are
// [kh, kw, in, mult], which in memory already equal TFLite's [1, kh, kw, in·mult].
import {
  appendActivation, fusedActivation, registerLayerConverter, UnsupportedLayerError, withActivation, type LayerConversion,
} from '../layer-converters.ts';
import type { PaddingName } from '../tflite-schema.ts';

function pair(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0], v[1] ?? v[0]];
}

function single(v: number | number[] | undefined, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'number' ? v : v[0];
}

export function tflitePadding(c: LayerConversion): PaddingName {
  const p = c.config.padding ?? 'valid';
  if (p === 'same') return 'SAME';
  if (p === 'valid') return 'VALID';
  throw new UnsupportedLayerError(`layer '${c.layer.name}' (${c.className}): padding '${p}' is not supported for TFLite export`);
}

export function requireChannelsLast(c: LayerConversion): void {
  const f = c.config.dataFormat;
  if (f && f !== 'channelsLast') {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (${c.className}): dataFormat '${f}' is not supported (channelsLast only)`);
  }
}

/** HWIO kernel → OHWI. */
export function hwioToOhwi(k: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      for (let i = 0; i < ci; i++) {
        const src = ((h * kw + w) * ci + i) * co;
        for (let o = 0; o < co; o++) out[((o * kh + h) * kw + w) * ci + i] = k[src + o];
      }
    }
  }
  return out;
}

function biasOrZeros(c: LayerConversion, name: string, size: number): Float32Array {
  const b = c.config.useBias === false ? undefined : c.weight(name);
  return b ? b.values : new Float32Array(size);
}

function convertConv2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const kernel = c.requireWeight('kernel');
  const [kh, kw, ci, co] = kernel.shape;
  const [sh, sw] = pair(c.config.strides, 1);
  const [dh, dw] = pair(c.config.dilationRate, 1);
  const g = c.graph;
  const w = g.addConstant(`${c.layer.name}/kernel`, [co, kh, kw, ci], hwioToOhwi(kernel.values, kernel.shape));
  const b = g.addConstant(`${c.layer.name}/bias`, [co], biasOrZeros(c, 'bias', co));
  const out = withActivation(c, c.config.activation, (activation) => g.addOp('CONV_2D', [c.inputs[0], w, b], c.layer.name, c.outputShapes[0], {
    kind: 'Conv2DOptions', padding: tflitePadding(c), strideW: sw, strideH: sh, activation, dilationW: dw, dilationH: dh,
  }));
  return [out];
}

/** Conv1D as CONV_2D on [batch, 1, steps, channels]. */
function convertConv1D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const kernel = c.requireWeight('kernel'); // [k, in, out]
  const [k, ci, co] = kernel.shape;
  const g = c.graph;
  const [, steps, channels] = g.tensors[c.inputs[0]].shape;
  const [, outSteps] = c.outputShapes[0];
  const shape4 = g.addIntConstant(`${c.layer.name}/shape4d`, [-1, 1, steps, channels]);
  const x4 = g.addOp('RESHAPE', [c.inputs[0], shape4], `${c.layer.name}/as2d`, [-1, 1, steps, channels], { kind: 'ReshapeOptions', newShape: [-1, 1, steps, channels] });
  const w = g.addConstant(`${c.layer.name}/kernel`, [co, 1, k, ci], hwioToOhwi(kernel.values, [1, k, ci, co]));
  const b = g.addConstant(`${c.layer.name}/bias`, [co], biasOrZeros(c, 'bias', co));
  const stride = single(c.config.strides, 1);
  const dilation = single(c.config.dilationRate, 1);
  const fused = fusedActivation(c.config.activation);
  const y4 = g.addOp('CONV_2D', [x4, w, b], `${c.layer.name}/conv2d`, [-1, 1, outSteps, co], {
    kind: 'Conv2DOptions', padding: tflitePadding(c), strideW: stride, strideH: 1, activation: fused ?? 'NONE', dilationW: dilation, dilationH: 1,
  });
  const shape3 = g.addIntConstant(`${c.layer.name}/shape3d`, [-1, outSteps, co]);
  const y = g.addOp('RESHAPE', [y4, shape3], c.layer.name, [-1, outSteps, co], { kind: 'ReshapeOptions', newShape: [-1, outSteps, co] });
  return [fused ? y : appendActivation(c, y, c.config.activation, `${c.layer.name}/${c.config.activation}`)];
}

function depthwise(c: LayerConversion, input: number, kernelName: string, outName: string, outShape: number[], withBias: boolean, activation: 'NONE' | 'RELU' | 'RELU6'): number {
  const kernel = c.requireWeight(kernelName); // [kh, kw, in, mult]
  const [kh, kw, ci, mult] = kernel.shape;
  const [sh, sw] = pair(c.config.strides, 1);
  const [dh, dw] = pair(c.config.dilationRate, 1);
  const g = c.graph;
  const w = g.addConstant(`${outName}/depthwise_kernel`, [1, kh, kw, ci * mult], kernel.values);
  const b = g.addConstant(`${outName}/depthwise_bias`, [ci * mult], withBias ? biasOrZeros(c, 'bias', ci * mult) : new Float32Array(ci * mult));
  return g.addOp('DEPTHWISE_CONV_2D', [input, w, b], outName, outShape, {
    kind: 'DepthwiseConv2DOptions', padding: tflitePadding(c), strideW: sw, strideH: sh, depthMultiplier: mult, activation, dilationW: dw, dilationH: dh,
  });
}

function convertDepthwiseConv2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  return [withActivation(c, c.config.activation, (activation) =>
    depthwise(c, c.inputs[0], 'depthwise_kernel', c.layer.name, c.outputShapes[0], true, activation as 'NONE' | 'RELU' | 'RELU6'))];
}

/** SeparableConv2D = DEPTHWISE_CONV_2D (no bias) then a 1×1 CONV_2D carrying bias and activation. */
function convertSeparableConv2D(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const dk = c.requireWeight('depthwise_kernel');
  const pk = c.requireWeight('pointwise_kernel'); // [1, 1, in·mult, out]
  const [, , mid, co] = pk.shape;
  const [, oh, ow] = c.outputShapes[0];
  const g = c.graph;
  if (dk.shape[2] * dk.shape[3] !== mid) throw new UnsupportedLayerError(`layer '${c.layer.name}': inconsistent separable kernels`);
  const d = depthwise(c, c.inputs[0], 'depthwise_kernel', `${c.layer.name}/depthwise`, [-1, oh, ow, mid], false, 'NONE');
  const w = g.addConstant(`${c.layer.name}/pointwise_kernel`, [co, 1, 1, mid], hwioToOhwi(pk.values, pk.shape));
  const b = g.addConstant(`${c.layer.name}/bias`, [co], biasOrZeros(c, 'bias', co));
  return [withActivation(c, c.config.activation, (activation) => g.addOp('CONV_2D', [d, w, b], c.layer.name, c.outputShapes[0], {
    kind: 'Conv2DOptions', padding: 'VALID', strideW: 1, strideH: 1, activation, dilationW: 1, dilationH: 1,
  }))];
}

/**
 * Conv2DTranspose → TRANSPOSE_CONV (output shape as an int32 constant at batch 1, the batch both
 * runtimes run at) and its bias as an ADD: TRANSPOSE_CONV's own bias input (op version 3) is
 * newer than the runtimes we check. Keras kernels are [kh, kw, out, in]; TFLite wants [out, kh, kw, in].
 */
function convertConv2DTranspose(c: LayerConversion): number[] {
  requireChannelsLast(c);
  const [dh, dw] = pair(c.config.dilationRate, 1);
  if (dh !== 1 || dw !== 1) throw new UnsupportedLayerError(`layer '${c.layer.name}' (Conv2DTranspose): dilation ${dh}×${dw} is not supported`);
  if (c.config.outputPadding !== undefined && c.config.outputPadding !== null) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (Conv2DTranspose): output_padding is not supported`);
  }
  const kernel = c.requireWeight('kernel');
  const [kh, kw, co, ci] = kernel.shape;
  const ohwi = new Float32Array(kernel.values.length);
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      for (let o = 0; o < co; o++) {
        for (let i = 0; i < ci; i++) ohwi[((o * kh + h) * kw + w) * ci + i] = kernel.values[((h * kw + w) * co + o) * ci + i];
      }
    }
  }
  const [sh, sw] = pair(c.config.strides, 1);
  const g = c.graph;
  const outShape = c.outputShapes[0];
  if (outShape.slice(1).some((d) => d === null || d < 0)) {
    throw new UnsupportedLayerError(`layer '${c.layer.name}' (Conv2DTranspose): output shape [${outShape}] is not fully known`);
  }
  const shape = [-1, ...outShape.slice(1)] as number[];
  const w = g.addConstant(`${c.layer.name}/kernel`, [co, kh, kw, ci], ohwi);
  const bias = c.config.useBias === false ? undefined : c.weight('bias');
  const activation = c.config.activation ?? 'linear';
  const last = !bias && activation === 'linear';
  const padding = tflitePadding(c);
  // 'same' is written as VALID plus a crop (or zero padding when the kernel is smaller than the
  // stride): Arm NN 20.08 places a SAME transposed convolution's output differently from TFLite.
  const [, inH, inW] = g.tensors[c.inputs[0]].shape;
  const full = [(inH - 1) * sh + kh, (inW - 1) * sw + kw];
  const excess = padding === 'SAME' ? [full[0] - shape[1], full[1] - shape[2]] : [0, 0];
  const convShape = padding === 'SAME' ? [-1, full[0], full[1], co] : shape;
  const reshaped = excess.some((e) => e !== 0);
  const outputShape = g.addIntConstant(`${c.layer.name}/output_shape`, [1, ...convShape.slice(1)]);
  let y = g.addOp('TRANSPOSE_CONV', [outputShape, w, c.inputs[0]], last && !reshaped ? c.layer.name : `${c.layer.name}/transpose_conv`, convShape, {
    kind: 'TransposeConvOptions', padding: 'VALID', strideW: sw, strideH: sh,
  });
  if (excess.some((e) => e > 0)) {
    const top = Math.max(0, Math.floor(excess[0] / 2));
    const left = Math.max(0, Math.floor(excess[1] / 2));
    const kept = [Math.min(shape[1], full[0]), Math.min(shape[2], full[1])];
    const cropShape = [-1, kept[0], kept[1], co];
    const begin = g.addIntConstant(`${c.layer.name}/crop_begin`, [0, top, left, 0]);
    const end = g.addIntConstant(`${c.layer.name}/crop_end`, [0, top + kept[0], left + kept[1], 0]);
    const strides = g.addIntConstant(`${c.layer.name}/crop_strides`, [1, 1, 1, 1]);
    const done = kept[0] === shape[1] && kept[1] === shape[2];
    y = g.addOp('STRIDED_SLICE', [y, begin, end, strides], last && done ? c.layer.name : `${c.layer.name}/crop`, cropShape, { kind: 'StridedSliceOptions', beginMask: 0b1001, endMask: 0b1001 });
  }
  if (excess.some((e) => e < 0)) {
    const [, hNow, wNow] = g.tensors[y].shape;
    const paddings = g.addIntConstant(`${c.layer.name}/pad`, [0, 0, 0, shape[1] - hNow, 0, shape[2] - wNow, 0, 0]);
    g.tensors[paddings].shape = [4, 2];
    y = g.addOp('PAD', [y, paddings], last ? c.layer.name : `${c.layer.name}/pad`, shape, { kind: 'PadOptions' });
  }
  if (bias) {
    const b = g.addConstant(`${c.layer.name}/bias`, [co], bias.values);
    y = g.addOp('ADD', [y, b], activation === 'linear' ? c.layer.name : `${c.layer.name}/bias_add`, shape, { kind: 'AddOptions', activation: 'NONE' });
  }
  return [appendActivation(c, y, activation, c.layer.name)];
}

registerLayerConverter('Conv2D', convertConv2D);
registerLayerConverter('Conv2DTranspose', convertConv2DTranspose);
registerLayerConverter('Conv1D', convertConv1D);
registerLayerConverter('DepthwiseConv2D', convertDepthwiseConv2D);
registerLayerConverter('SeparableConv2D', convertSeparableConv2D);
