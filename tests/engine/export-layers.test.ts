// Layer coverage of the TFLite exporter beyond the MNIST models: LeakyReLU, PReLU, ELU, ReLU6,
// swish, hard-swish, ZeroPadding2D, Cropping2D, GlobalMaxPooling1D/2D, UpSampling2D (nearest and
// bilinear), Conv2DTranspose (TRANSPOSE_CONV), squeeze-and-excitation (Dense on rank 4, broadcast Multiply), Subtract, Maximum,
// Minimum, Permute, SpatialDropout2D/GaussianNoise (no-ops), Normalization and Rescaling on the
// input, and a nested functional model. Each model is exported in float32, float16,
// dynamic-int8 and int8 and run in TFLite's interpreter (wasm) and Arm NN against tfjs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, type QuantizationMode } from '../../services/engine/export/index.ts';
import { Normalization } from '../../services/engine/layers/normalization.ts';
import { SpatialDropout2D } from '../../services/engine/layers/spatial-dropout.ts';
import { Subtract } from '../../services/engine/layers/subtract.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';

const armNnSkip = armNnUnavailableReason() ?? false;
const MODES: QuantizationMode[] = ['float32', 'float16', 'dynamic-int8', 'int8'];
/** Max |tflite − tfjs| on softmax outputs per mode. */
const TOLERANCE: Record<QuantizationMode, number> = { 'float32': 1e-4, 'float16': 5e-3, 'dynamic-int8': 0.04, 'int8': 0.06 };

const k = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed + 100 }) });
type ST = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;
const head = (x: ST, seed: number) => apply(tf.layers.dense({ units: 4, activation: 'softmax', ...k(seed) }), x);

/** Ops Debian's Arm NN 20.08 parser does not know: models using them are checked in TFLite only. */
const NOT_IN_ARMNN_20_08 = ['ELU'];

const MODELS: Record<string, { sample: number[]; build: () => tf.LayersModel; ops: string[]; prepare?: (model: tf.LayersModel) => void }> = {
  'ZeroPadding2D, LeakyReLU, GlobalMaxPooling2D': {
    sample: [8, 8, 3], ops: ['PAD', 'LEAKY_RELU', 'MAX_POOL_2D'],
    build: () => tf.sequential({ layers: [
      tf.layers.zeroPadding2d({ inputShape: [8, 8, 3], padding: [[1, 2], [2, 1]] }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, ...k(1) }),
      tf.layers.leakyReLU({ alpha: 0.1 }),
      tf.layers.globalMaxPooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax', ...k(2) })] }),
  },
  'squeeze-and-excitation: ReLU6, Reshape, Dense on rank 4, Multiply, swish': {
    sample: [6, 6, 4], ops: ['CONV_2D', 'MEAN', 'FULLY_CONNECTED', 'LOGISTIC', 'MUL'], // RELU6 fuses into CONV_2D
    build: () => {
      const input = tf.input({ shape: [6, 6, 4] });
      const x = apply(tf.layers.reLU({ maxValue: 6 }), apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', ...k(3) }), input));
      let s = apply(tf.layers.globalAveragePooling2d({}), x);
      s = apply(tf.layers.reshape({ targetShape: [1, 1, 8] }), s);
      s = apply(tf.layers.dense({ units: 2, activation: 'relu', ...k(4) }), s);
      s = apply(tf.layers.dense({ units: 8, activation: 'sigmoid', ...k(5) }), s);
      const scaled = apply(tf.layers.multiply(), [x, s]);
      const act = apply(tf.layers.activation({ activation: 'swish' }), scaled);
      return tf.model({ inputs: input, outputs: head(apply(tf.layers.flatten(), act), 6) });
    },
  },
  'Rescaling, Normalization, hard-swish, Cropping2D, UpSampling2D nearest': {
    sample: [6, 6, 3], ops: ['HARD_SWISH', 'STRIDED_SLICE', 'RESIZE_NEAREST_NEIGHBOR'],
    build: () => tf.sequential({ layers: [
      tf.layers.rescaling({ inputShape: [6, 6, 3], scale: 2, offset: -0.5 }),
      new Normalization({ mean: [0.1, -0.2, 0.3], variance: [0.5, 2, 1] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'hardSwish' as never, ...k(7) }),
      tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]] }),
      tf.layers.upSampling2d({ size: [2, 2] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax', ...k(8) })] }),
  },
  'Subtract, Maximum, Minimum, Permute, PReLU, UpSampling2D bilinear': {
    sample: [6, 6, 2], ops: ['SUB', 'MAXIMUM', 'MINIMUM', 'TRANSPOSE', 'RELU', 'RESIZE_BILINEAR'],
    build: () => {
      const input = tf.input({ shape: [6, 6, 2] });
      const a = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', ...k(9) }), input);
      const b = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', ...k(10) }), input);
      const diff = apply(new Subtract({}), [a, b]);
      const hi = apply(tf.layers.maximum(), [a, b]);
      const lo = apply(tf.layers.minimum(), [a, b]);
      let x = apply(tf.layers.concatenate(), [diff, hi, lo]);
      x = apply(tf.layers.permute({ dims: [2, 1, 3] }), x);
      x = apply(tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.25 }) }), x);
      x = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), x);
      x = apply(tf.layers.maxPooling2d({ poolSize: 4 }), x);
      return tf.model({ inputs: input, outputs: head(apply(tf.layers.flatten(), x), 11) });
    },
  },
  'Conv2DTranspose (strides 2, same and valid, bias, relu)': {
    sample: [5, 5, 3], ops: ['TRANSPOSE_CONV', 'ADD', 'STRIDED_SLICE', 'PAD'],
    build: () => tf.sequential({ layers: [
      tf.layers.conv2dTranspose({ inputShape: [5, 5, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...k(16) }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 1, padding: 'valid', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 17 }) }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'same', ...k(19) }), // kernel < stride: zero-padded
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax', ...k(18) })] }),
  },
  'issue #10: BatchNormalization after the activation (with a dead channel), after Dense, Dropout before the head': {
    sample: [8, 8, 2], ops: ['DEPTHWISE_CONV_2D'],
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 5, kernelSize: 3, activation: 'relu', ...k(20) }),
      tf.layers.batchNormalization({ name: 'bn_after_relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'relu', ...k(21) }),
      tf.layers.batchNormalization({ name: 'bn_after_dense' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 4, activation: 'softmax', ...k(22) })] }),
    // Channel 0 of each batch norm is dead the way long training leaves it: zero weights and a
    // negative bias before the ReLU, moving variance ~0 (γ/√(var+ε) ≈ 31.6 next to ~1).
    prepare: (model) => {
      for (const [i, layer] of model.layers.entries()) {
        if (layer.getClassName() !== 'BatchNormalization') continue;
        const producer = model.layers[i - 1];
        const [kernel, bias] = producer.getWeights().map((w) => Float32Array.from(w.dataSync()));
        const units = bias.length;
        for (let j = 0; j < kernel.length; j += units) kernel[j] = 0;
        bias[0] = -1;
        producer.setWeights([tf.tensor(kernel, producer.getWeights()[0].shape), tf.tensor1d(bias)]);
        const [gamma, beta, mean, variance] = layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
        [gamma[0], mean[0], variance[0]] = [1, 0, 1e-9];
        layer.setWeights([gamma, beta, mean, variance].map((v) => tf.tensor1d(v)));
      }
    },
  },
  'Conv1D, ELU, GlobalMaxPooling1D': {
    sample: [10, 3], ops: ['ELU', 'MAX_POOL_2D'],
    build: () => tf.sequential({ layers: [
      tf.layers.conv1d({ inputShape: [10, 3], filters: 5, kernelSize: 3, activation: 'elu', ...k(12) }),
      tf.layers.globalMaxPooling1d({}),
      tf.layers.dense({ units: 4, activation: 'softmax', ...k(13) })] }),
  },
  'nested functional model, SpatialDropout2D, GaussianNoise': {
    sample: [6, 6, 3], ops: ['CONV_2D'],
    build: () => {
      const innerIn = tf.input({ shape: [6, 6, 3] });
      const innerOut = apply(tf.layers.batchNormalization({}), apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', ...k(14) }), innerIn));
      const backbone = tf.model({ inputs: innerIn, outputs: innerOut, name: 'backbone' });
      const input = tf.input({ shape: [6, 6, 3] });
      let x = apply(backbone as unknown as tf.layers.Layer, input);
      x = apply(new SpatialDropout2D({ rate: 0.2 }), x);
      x = apply(tf.layers.gaussianNoise({ stddev: 0.1 }), x);
      return tf.model({ inputs: input, outputs: head(apply(tf.layers.flatten(), x), 15) });
    },
  },
};

function uniform(n: number, sample: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([n, ...sample], -1, 1, 'float32', seed).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Gives batch-norm layers non-trivial moving statistics so folding is exercised. */
function randomizeBatchNorm(model: tf.LayersModel): void {
  const visit = (m: tf.LayersModel) => {
    for (const layer of m.layers) {
      if (layer instanceof tf.LayersModel) visit(layer);
      else if (layer.getClassName() === 'BatchNormalization') {
        layer.setWeights(layer.getWeights().map((w, i) => tf.tidy(() => (i === 3 ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i) : tf.randomUniform(w.shape, -0.3, 0.3, 'float32', i)))));
      }
    }
  };
  visit(model);
}

describe('TFLite export of the wider layer set in tfjs-tflite and Arm NN', { timeout: 600_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  for (const [name, spec] of Object.entries(MODELS)) {
    describe(name, () => {
      for (const mode of MODES) {
        it(`${mode}: agrees with tfjs in both runtimes`, async () => {
          const model = spec.build();
          randomizeBatchNorm(model);
          spec.prepare?.(model);
          const n = 6;
          const shape = [n, ...spec.sample];
          const x = uniform(n, spec.sample, 21);
          const expected = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
          const calibration = [uniform(64, spec.sample, 22)];
          const { bytes, ops } = await exportTflite(model, { quantization: mode, representativeData: calibration });
          if (mode === 'float32') for (const op of spec.ops) assert.ok(ops.includes(op), `${op} not in ${ops}`);
          const armNnCannot = ops.filter((op) => NOT_IN_ARMNN_20_08.includes(op));
          const runtime = await loadTfliteModel(bytes);
          const got = runtime.predict(x, shape);
          runtime.dispose();
          assert.ok(maxAbsDiff(got, expected) < TOLERANCE[mode], `tfjs-tflite differs from tfjs by ${maxAbsDiff(got, expected)}`);
          if (!armNnSkip && armNnCannot.length === 0) {
            const arm = await runArmNn(bytes, x, shape);
            assert.ok(maxAbsDiff(arm.output, expected) < TOLERANCE[mode], `Arm NN differs from tfjs by ${maxAbsDiff(arm.output, expected)}`);
          }
          model.dispose();
        });
      }
    });
  }
});
