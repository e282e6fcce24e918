// Student architectures, chosen from the shape of the teacher's task:
// - images (rank-3 input [h, w, c]): a MobileNet-style stack of depthwise-separable convolutions
//   (Howard et al. 2017, "MobileNets", arXiv 1704.04861) whose channel counts follow the width
//   multiplier, whose number of blocks per stage follows the depth multiplier and whose feature
//   maps shrink with the resolution multiplier;
// - images, family 'cnn': a plain LeNet-style stack (LeCun et al. 1998, "Gradient-based learning
//   applied to document recognition") of 3×3 convolution + ReLU + 2×2 max-pool stages, no batch
//   norm, a flatten head on the small final map: at ~10k parameters it spends its bytes on
//   convolutions, where a narrowed flatten→dense teacher spends them on its dense layer, and it
//   trains several times faster per sample here than the MobileNet-style stack (no batch norm);
// - vectors (rank-1 input) and anything else (flattened): an MLP, width scaling the hidden units
//   and depth the number of hidden layers.
// Every student ends in a linear Dense layer (the logits, which distillation trains on) followed
// by a softmax Activation, so the exported model outputs probabilities like most teachers.
import type { LayersModel, Tensor, Tf } from '@condense/plugin-sdk';
import type { StudentSize } from './config.ts';

export interface StudentModels {
  /** The deliverable: input → probabilities. */
  model: LayersModel;
  /** Same layers and weights, input → logits (what the loss sees). */
  logits: LayersModel;
  family: 'mobilenet' | 'cnn' | 'mlp';
}

/** Base channels of the plain CNN's stages at width 1 (one 3×3 convolution and a 2×2 max pool each). */
const CNN_STAGES = [32, 64, 64] as const;

/** Base MobileNet-style stages: output channels, stride of the first block, blocks at depth 1. */
const STAGES: ReadonlyArray<{ channels: number; stride: number; blocks: number }> = [
  { channels: 64, stride: 1, blocks: 1 },
  { channels: 128, stride: 2, blocks: 2 },
  { channels: 256, stride: 2, blocks: 1 },
];
const STEM_CHANNELS = 32;
/** Batch-norm moving-average momentum: 0.9 rather than Keras' 0.99, so the moving statistics
 *  settle within the few hundred steps of a short distillation. */
const BN_MOMENTUM = 0.9;
/** Hidden units of the MLP's first layer at width 1; each further layer halves them. */
const MLP_BASE_UNITS = 256;
const MLP_BASE_LAYERS = 3;

const scaled = (base: number, multiplier: number, min: number): number => Math.max(min, Math.round(base * multiplier));

export function buildStudent(tf: Tf, inputShape: number[], numClasses: number, size: StudentSize, name: string, seed: number): StudentModels {
  if (!(numClasses >= 2)) throw new Error(`the dataset must have at least 2 classes, got ${numClasses}`);
  if (inputShape.length === 0 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`students need a fixed input shape; the data's is [${inputShape.join(', ')}]`);
  }
  let layerSeed = seed * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: layerSeed++ });
  const heInit = () => tf.initializers.heNormal({ seed: layerSeed++ });
  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  const family: StudentModels['family'] = inputShape.length === 3 ? (size.family ?? 'mobilenet') : 'mlp';
  type Symbolic = ReturnType<Tf['input']>;
  let x: Symbolic = input;
  const apply = (layer: { apply(t: unknown): unknown }): void => {
    x = layer.apply(x) as Symbolic;
  };

  if (family !== 'mlp') {
    // Resolution multiplier ρ (MobileNets §3.4) as an in-model average pool, so the exported file
    // takes the same input as the teacher.
    const [h, w] = inputShape;
    const pool = Math.min(h, w, Math.round(1 / (size.resolution ?? 1)));
    if (pool > 1) apply(tf.layers.averagePooling2d({ poolSize: pool, name: `${name}_resolution` }));
  }
  if (family === 'cnn') {
    const stages = scaled(CNN_STAGES.length, size.depth, 1);
    for (let s = 0; s < stages; s++) {
      const channels = CNN_STAGES[Math.min(s, CNN_STAGES.length - 1)];
      apply(tf.layers.conv2d({ filters: scaled(channels, size.width, 4), kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: heInit(), name: `${name}_conv${s}` }));
      const [, ph, pw] = (x as unknown as { shape: number[] }).shape;
      if (Math.min(ph, pw) >= 2) apply(tf.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool${s}` }));
    }
    const [, fh, fw] = (x as unknown as { shape: number[] }).shape;
    apply(fh * fw <= 16 ? tf.layers.flatten({ name: `${name}_flatten` }) : tf.layers.globalAveragePooling2d({ name: `${name}_gap` }));
  } else if (family === 'mobilenet') {
    const [h, w] = inputShape;
    // conv → batch norm → ReLU, as in MobileNet: batch norm is what lets these students learn in
    // the few hundred steps a compression run can spend. The export folds it into the convolution.
    const normRelu = (id: string): void => {
      apply(tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name: `${id}_bn` }));
      apply(tf.layers.activation({ activation: 'relu', name: `${id}_relu` }));
    };
    // Small inputs (MNIST-sized) keep full resolution one layer longer than 224² ImageNet inputs.
    const stemStride = Math.min(h, w) >= 24 ? 2 : 1;
    apply(tf.layers.conv2d({ filters: scaled(STEM_CHANNELS, size.width, 4), kernelSize: 3, strides: stemStride, padding: 'same', useBias: false, kernelInitializer: heInit(), name: `${name}_stem` }));
    normRelu(`${name}_stem`);
    STAGES.forEach((stage, s) => {
      const blocks = scaled(stage.blocks, size.depth, 1);
      for (let b = 0; b < blocks; b++) {
        const stride = b === 0 ? stage.stride : 1;
        const id = `${name}_s${s}b${b}`;
        const blockInput = x;
        apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: heInit(), name: `${id}_dw` }));
        normRelu(`${id}_dw`);
        apply(tf.layers.conv2d({ filters: scaled(stage.channels, size.width, 8), kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: heInit(), name: `${id}_pw` }));
        normRelu(`${id}_pw`);
        // Repeated blocks (same shape in and out) add their input back, as in MobileNetV2.
        if (b > 0) x = tf.layers.add({ name: `${id}_add` }).apply([blockInput, x]) as Symbolic;
      }
    });
    // A small final map (≤ 4×4, e.g. 28² inputs) keeps its positions: flattening it classifies
    // Fashion-MNIST better than global average pooling; large maps are pooled as in MobileNet.
    const [, fh, fw] = (x as unknown as { shape: number[] }).shape;
    apply(fh * fw <= 16 ? tf.layers.flatten({ name: `${name}_flatten` }) : tf.layers.globalAveragePooling2d({ name: `${name}_pool` }));
  } else {
    if (inputShape.length > 1) apply(tf.layers.flatten({ name: `${name}_flatten` }));
    const layers = scaled(MLP_BASE_LAYERS, size.depth, 1);
    for (let i = 0; i < layers; i++) {
      apply(tf.layers.dense({ units: scaled(MLP_BASE_UNITS / 2 ** i, size.width, 8), activation: 'relu', kernelInitializer: init(), name: `${name}_dense${i}` }));
    }
  }
  apply(tf.layers.dense({ units: numClasses, kernelInitializer: init(), name: `${name}_logits` }));
  const logitsOut = x;
  apply(tf.layers.activation({ activation: 'softmax', name: `${name}_softmax` }));
  const model = tf.model({ inputs: input, outputs: x, name });
  const logits = tf.model({ inputs: input, outputs: logitsOut, name: `${name}_logits_view` });
  return { model, logits, family };
}

/** Trainable variables of a model, as optimizer.minimize wants them. */
export function variablesOf(model: LayersModel): ReturnType<Tf['variable']>[] {
  return model.trainableWeights.map((w) => w.read() as unknown as ReturnType<Tf['variable']>);
}

export type { Tensor };
