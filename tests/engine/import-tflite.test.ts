// A .tflite file as the uploaded model (issue #14 item 3). A Keras-style model (conv + batch norm,
// depthwise, residual Add, batch norm after an activation, Rescaling on the input, pools, MEAN,
// Concatenate, Dense softmax) is written by our exporter in all four modes, the way TFLite's
// converter lays a file out (OHWI / 1HWO / [out, in] weights, folded batch norm, fused
// activations, QUANTIZE/DEQUANTIZE edges); each file is imported back into a trainable tfjs model
// that must predict what the file predicts in TFLite's own interpreter (wasm), and the imported
// float model, exported again, must run in tfjs-tflite and Arm NN with the same outputs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, type QuantizationMode } from '../../services/engine/export/index.ts';
import { importModel, inspectModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';

const armNnSkip = armNnUnavailableReason() ?? false;
type ST = tf.SymbolicTensor;
const SAMPLE = [10, 10, 3];
/** Max |imported tfjs − the file in TFLite| per mode (int8 files run int8 arithmetic in TFLite). */
const TOLERANCE: Record<QuantizationMode, number> = { float32: 1e-5, float16: 1e-4, 'dynamic-int8': 0.03, int8: 0.06 };

function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n * SAMPLE.reduce((a, b) => a * b, 1) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function buildModel(): tf.LayersModel {
  const k = (seed: number) => ({ kernelInitializer: tf.initializers.heNormal({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 50 }) });
  const apply = (layer: tf.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;
  const input = tf.input({ shape: SAMPLE });
  let x = apply(tf.layers.rescaling({ scale: 2, offset: -1 }), input);
  x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', ...k(1) }), x);
  x = apply(tf.layers.batchNormalization(), x);
  x = apply(tf.layers.activation({ activation: 'relu' }), x);
  let y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, depthwiseInitializer: tf.initializers.heNormal({ seed: 2 }) }), x);
  y = apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu6', ...k(3) }), y);
  x = apply(tf.layers.add(), [x, y]);
  x = apply(tf.layers.batchNormalization(), x); // after the residual's ReLU-free Add: stays a per-channel MUL/ADD
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  const pooled = apply(tf.layers.globalAveragePooling2d({}), x);
  const flat = apply(tf.layers.flatten(), apply(tf.layers.averagePooling2d({ poolSize: 5 }), apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 1, ...k(4) }), x)));
  const joined = apply(tf.layers.concatenate(), [pooled, flat]);
  const hidden = apply(tf.layers.dense({ units: 12, activation: 'relu', ...k(5) }), joined);
  return tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 5, activation: 'softmax', ...k(6) }), hidden) });
}

/** Batch-norm statistics away from the identity, as a trained model has them. */
function randomizeBatchNorm(model: tf.LayersModel): void {
  let seed = 30;
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, i) => tf.randomUniform(w.shape, i === 3 ? 0.5 : -0.5, i === 3 ? 2 : 1.5, 'float32', seed++)));
  }
}

let model: tf.LayersModel;
const files = new Map<QuantizationMode, Uint8Array>();
const n = 8;
const shape = [n, ...SAMPLE];
const x = uniform(n, 11);

before(async () => {
  await initEngine();
  model = buildModel();
  randomizeBatchNorm(model);
  for (const mode of ['float32', 'float16', 'dynamic-int8', 'int8'] as const) {
    files.set(mode, (await exportTflite(model, { quantization: mode, representativeData: [uniform(64, 12)], dynamicRangeMinElements: 64 })).bytes);
  }
});

describe('a .tflite upload becomes a trainable tfjs model', () => {
  for (const mode of ['float32', 'float16', 'dynamic-int8', 'int8'] as const) {
    it(`${mode}: the imported model predicts what the file predicts in TFLite`, async () => {
      const bytes = files.get(mode)!;
      const imported = await importModel({ filename: `model-${mode}.tflite`, bytes });
      assert.equal(imported.format, 'tflite');
      assert.ok(imported.model);
      const got = tf.tidy(() => (imported.model!.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
      const runtime = await loadTfliteModel(bytes);
      const want = runtime.predict(x, shape);
      runtime.dispose();
      assert.ok(maxAbsDiff(got, want) < TOLERANCE[mode], `imported model differs from TFLite by ${maxAbsDiff(got, want)}`);
      if (mode === 'float32') {
        const original = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
        assert.ok(maxAbsDiff(got, original) < 1e-5, `imported model differs from the Keras model by ${maxAbsDiff(got, original)}`);
        assert.equal(imported.teacherOnly, undefined);
        assert.deepEqual(imported.notes, []);
      } else {
        // Quantized weights (float16, int8): dequantised, a teacher with a note saying so.
        assert.equal(imported.teacherOnly, true);
        assert.match(imported.notes!.join(' '), /dequantised to float32.*distillation teacher \(inference only\)/);
      }
      imported.model!.dispose();
    });
  }

  it('keeps the layers and the weight layouts: Conv2D HWIO, DepthwiseConv2D HWIM, Dense [in, out]', async () => {
    const imported = await importModel({ filename: 'model.tflite', bytes: files.get('float32')! });
    const layers = imported.model!.layers;
    const conv = layers.find((l) => l.getClassName() === 'Conv2D')!;
    assert.deepEqual(conv.getWeights()[0].shape, [3, 3, 3, 8]);
    const depthwise = layers.find((l) => l.getClassName() === 'DepthwiseConv2D' && l.getWeights()[0].shape[0] === 3)!;
    assert.deepEqual(depthwise.getWeights()[0].shape, [3, 3, 8, 2]);
    const dense = layers.filter((l) => l.getClassName() === 'Dense');
    assert.deepEqual(dense.map((d) => d.getWeights()[0].shape), [[12, 12], [12, 5]]);
    for (const cls of ['Rescaling', 'Add', 'MaxPooling2D', 'GlobalAveragePooling2D', 'AveragePooling2D', 'Flatten', 'Concatenate', 'Softmax']) {
      assert.ok(imported.layerTypes.includes(cls), `${cls} missing from ${imported.layerTypes}`);
    }
    imported.model!.dispose();
  });

  it('trains: a few steps of fit lower the loss on fixed labels', async () => {
    const imported = await importModel({ filename: 'model.tflite', bytes: files.get('float32')! });
    const m = imported.model!;
    assert.ok(m.trainableWeights.length >= 10);
    m.compile({ optimizer: tf.train.adam(0.03), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor(x, shape);
    const ys = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 5), 'float32');
    const history = await m.fit(xs, ys, { epochs: 25, batchSize: n, verbose: 0, shuffle: false });
    const loss = history.history.loss as number[];
    assert.ok(loss[loss.length - 1] < loss[0] * 0.5, `loss ${loss[0]} → ${loss[loss.length - 1]}`);
    tf.dispose([xs, ys]);
    m.dispose();
  });

  it('the imported model exports again and runs in tfjs-tflite and Arm NN like the uploaded file', async () => {
    const imported = await importModel({ filename: 'model.tflite', bytes: files.get('float32')! });
    const runtime = await loadTfliteModel(files.get('float32')!);
    const want = runtime.predict(x, shape);
    runtime.dispose();
    for (const mode of ['float32', 'int8'] as const) {
      const { bytes } = await exportTflite(imported.model!, { quantization: mode, representativeData: [uniform(64, 12)] });
      const again = await loadTfliteModel(bytes);
      const got = again.predict(x, shape);
      again.dispose();
      const tolerance = mode === 'float32' ? 1e-5 : 0.06;
      assert.ok(maxAbsDiff(got, want) < tolerance, `${mode} re-export differs in TFLite by ${maxAbsDiff(got, want)}`);
      if (!armNnSkip) {
        const arm = await runArmNn(bytes, x, shape);
        assert.ok(maxAbsDiff(arm.output, want) < tolerance, `${mode} re-export differs in Arm NN by ${maxAbsDiff(arm.output, want)}`);
      }
    }
    imported.model!.dispose();
  });

  it('inspection reports the format, the layers and the pre-flight of a .tflite upload', async () => {
    const meta = await inspectModel({ filename: 'model.tflite', bytes: files.get('int8')! }, { preflight: true });
    assert.equal(meta.format, 'tflite');
    assert.equal(meta.teacherOnly, true);
    assert.deepEqual(meta.signature.inputs[0].shape, [null, ...SAMPLE]);
    assert.deepEqual(meta.signature.outputs[0].shape, [null, 5]);
    assert.ok(meta.preflight && meta.preflight.blockers.length === 0, JSON.stringify(meta.preflight?.blockers));
  });

  it('ops it cannot turn into layers give one error naming them all', async () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(tf.layers.cropping2D({ cropping: [[1, 1], [1, 1]] }).apply(input) as ST) as ST;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.flatten().apply(up) as ST) as ST;
    const { bytes } = await exportTflite(tf.model({ inputs: input, outputs: out }), { quantization: 'float32' });
    await assert.rejects(importModel({ filename: 'odd.tflite', bytes }), (err: Error) => {
      assert.equal(err.name, 'ModelImportError');
      assert.match(err.message, /odd\.tflite uses TFLite ops STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, which Condense cannot turn into trainable layers; supported ops: CONV_2D/);
      return true;
    });
  });

  it('a truncated or mislabelled .tflite is refused with a one-line error', async () => {
    await assert.rejects(importModel({ filename: 'broken.tflite', bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) }), /broken\.tflite is not a TFLite file \(no TFL3 identifier/);
    const bytes = files.get('float32')!;
    await assert.rejects(importModel({ filename: 'cut.tflite', bytes: bytes.subarray(0, 400) }), (err: Error) => err.name === 'ModelImportError' && !err.message.includes('\n'));
  });
});
