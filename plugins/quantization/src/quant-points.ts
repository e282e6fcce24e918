// Where the int8 TFLite graph holds quantized tensors, mirroring the exporter: every layer
// output except those that only rename values (Dropout, Flatten, Reshape), pick among their
// input's values (max pooling), or vanish into the layer before them (BatchNormalization folded
// into a linear conv/dense, ReLU/ReLU6 fused into it). Average pooling is requantized with its
// input's parameters ('tied' in TFLite). Known gap: CONCATENATION ties its inputs' parameters,
// which is not simulated.
import { weightRole, type Layer, type LayersModel, type LayerVariable } from '@condense/plugin-sdk';
import type { AffineParams } from './fake-quant.ts';

const WEIGHTED = new Set(['Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);
const PASS_THROUGH = new Set([
  'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'Flatten', 'Reshape',
  'MaxPooling1D', 'MaxPooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'InputLayer',
]);
const FUSABLE_ACTIVATIONS = new Set(['relu', 'relu6']);
const TIED = new Set(['AveragePooling1D', 'AveragePooling2D']);

export function activationOf(layer: Layer): string | undefined {
  const config = layer.getConfig() as { activation?: string };
  if (layer.getClassName() === 'ReLU') return (layer.getConfig() as { maxValue?: number | null }).maxValue === 6 ? 'relu6' : 'relu';
  return config.activation;
}

function consumersOf(model: LayersModel, layer: Layer): Layer[] {
  const inModel = new Set(model.layers);
  return layer.outboundNodes.map((n) => n.outboundLayer).filter((l) => inModel.has(l));
}

function producerOf(layer: Layer): Layer | undefined {
  const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
  return inbound.length === 1 ? inbound[0] : undefined;
}

export interface QuantPlan {
  /** Layers whose output is fake-quantized with calibrated ranges. */
  calibrated: Set<Layer>;
  /** Layers whose output has TFLite's fixed parameters (softmax, logistic, tanh outputs). */
  fixed: Map<Layer, AffineParams>;
  /** Dense layers whose activation is a separate TFLite op: their pre-activation output is a
   * quantized tensor of its own (e.g. the logits before SOFTMAX). */
  preActivation: Set<Layer>;
  /** Layers whose output reuses the parameters of an earlier quantized tensor ('input': the model input). */
  tied: Map<Layer, Layer | 'input'>;
}

/** TFLite's fixed int8 output parameters of SOFTMAX, LOGISTIC and TANH. */
const FIXED_OUTPUT: Record<string, AffineParams> = {
  softmax: { scale: 1 / 256, zeroPoint: -128 },
  sigmoid: { scale: 1 / 256, zeroPoint: -128 },
  tanh: { scale: 1 / 128, zeroPoint: 0 },
};

export function planQuantPoints(model: LayersModel): QuantPlan {
  const outputs = new Set(model.outputs.map((t) => t.sourceLayer));
  const linearWeighted = (l: Layer) => WEIGHTED.has(l.getClassName()) && (activationOf(l) ?? 'linear') === 'linear';
  // Can `l` take a following BatchNormalization or ReLU into its own op?
  const absorbs = (l: Layer): boolean => linearWeighted(l)
    || (l.getClassName() === 'BatchNormalization' && producerOf(l) !== undefined && absorbed(producerOf(l)!));
  const absorbed = (l: Layer): boolean => {
    if (outputs.has(l)) return false;
    const consumers = consumersOf(model, l);
    if (consumers.length !== 1) return false;
    const next = consumers[0];
    const cls = next.getClassName();
    if (cls === 'BatchNormalization') return linearWeighted(l);
    if ((cls === 'Activation' || cls === 'ReLU') && FUSABLE_ACTIVATIONS.has(activationOf(next) ?? '')) return absorbs(l);
    return false;
  };
  const calibrated = new Set<Layer>();
  const fixed = new Map<Layer, AffineParams>();
  const preActivation = new Set<Layer>();
  const tied = new Map<Layer, Layer | 'input'>();
  // The layer whose quantized output `l` reads (through pass-through layers).
  const quantizedSource = (l: Layer): Layer | 'input' => {
    let source = producerOf(l);
    while (source && (PASS_THROUGH.has(source.getClassName()) || TIED.has(source.getClassName()))) {
      if (source.getClassName() === 'InputLayer') return 'input';
      if (TIED.has(source.getClassName())) return tied.get(source) ?? 'input';
      source = producerOf(source);
    }
    return source ?? 'input';
  };
  for (const layer of model.layers) {
    if (PASS_THROUGH.has(layer.getClassName()) || absorbed(layer)) continue;
    if (TIED.has(layer.getClassName())) {
      tied.set(layer, quantizedSource(layer));
      continue;
    }
    const activation = layer.getClassName() === 'Softmax' ? 'softmax' : activationOf(layer) ?? 'linear';
    const params = FIXED_OUTPUT[activation];
    if (params) fixed.set(layer, params);
    else calibrated.add(layer);
    if (params && layer.getClassName() === 'Dense') preActivation.add(layer);
  }
  return { calibrated, fixed, preActivation, tied };
}

/** A kernel to quantize, with the number of channels sharing one scale along its trailing axes. */
export interface QuantKernel {
  variable: LayerVariable;
  channels: number;
}

/**
 * Weight quantization as the exporter does it: convolution kernels per output channel (the last
 * axis, or in*multiplier of a depthwise kernel), FULLY_CONNECTED (Dense) kernels per tensor.
 */
export function quantizedKernels(model: LayersModel): QuantKernel[] {
  const kernels: QuantKernel[] = [];
  for (const layer of model.layers) {
    if (!WEIGHTED.has(layer.getClassName())) continue;
    const perTensor = layer.getClassName() === 'Dense';
    for (const variable of layer.weights) {
      const role = weightRole(variable);
      const shape = variable.shape as number[];
      if (role === 'kernel' || role === 'pointwise_kernel') kernels.push({ variable, channels: perTensor ? 1 : shape[shape.length - 1] });
      else if (role === 'depthwise_kernel') kernels.push({ variable, channels: shape[shape.length - 2] * shape[shape.length - 1] });
    }
  }
  return kernels;
}
