// Users' Keras text models: Embedding (with and without mask_zero), GlobalAveragePooling1D (masked
// and plain), Conv1D, MaxPooling1D and GlobalMaxPooling1D train on the wasm backend and export to
// float32, float16, dynamic-int8 and int8 .tflite files that the TFLite runtime scores like tfjs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays, type Dataset } from '../../services/engine/data/index.ts';
import { evaluateModel, evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTflite, type QuantizationMode } from '../../services/engine/export/index.ts';
import { MaskedGlobalAveragePooling1D, MaskDroppingGlobalMaxPooling1D, maskedMean } from '../../services/engine/layers/masked-pooling.ts';
import { fit } from '../../services/engine/train/index.ts';
import { armNnUnavailableReason, runArmNn } from '../../services/engine/runtime/index.ts';

const VOCAB = 300;
const STEPS = 20;

/** Pre-padded token-id sequences of 4..20 tokens; class 1 when most tokens come from the upper half of the vocabulary. */
function sequences(n: number, seed: number): Dataset {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * STEPS);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const length = 4 + Math.floor(r() * (STEPS - 3));
    for (let t = STEPS - length; t < STEPS; t++) {
      const fromUpper = r() < (y[i] ? 0.85 : 0.15);
      x[i * STEPS + t] = 1 + Math.floor(r() * (VOCAB / 2 - 1)) + (fromUpper ? VOCAB / 2 : 0);
    }
  }
  return datasetFromArrays(x, y, [STEPS], { seed: 2 });
}

const init = (k: number) => tf.initializers.glorotUniform({ seed: k });

function pooledModel(maskZero: boolean): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: VOCAB, outputDim: 8, inputLength: STEPS, maskZero, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
      new MaskedGlobalAveragePooling1D({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(2) }),
    ],
  });
}

function convModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: VOCAB, outputDim: 8, inputLength: STEPS, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 3 }) }),
      tf.layers.conv1d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.maxPooling1d({ poolSize: 2 }),
      new MaskDroppingGlobalMaxPooling1D({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(5) }),
    ],
  });
}

async function checkExports(model: tf.LayersModel, data: Dataset, label: string): Promise<void> {
  const reference = await evaluateModel(model, data, 'test');
  assert.ok(reference.accuracy > 0.85, `${label}: tfjs accuracy ${reference.accuracy}`);
  const calibration = async function* () {
    for await (const b of data.batches('train', 64, { limit: 256 })) yield b.x!;
  };
  const sizes: Record<string, number> = {};
  for (const mode of ['float32', 'float16', 'dynamic-int8', 'int8'] as QuantizationMode[]) {
    const out = await exportTflite(model, { quantization: mode, ...(mode === 'int8' ? { representativeData: calibration() } : {}) });
    assert.ok(out.ops.includes('GATHER'), `${label} ${mode}: ops ${out.ops}`);
    sizes[mode] = out.bytes.length;
    const result = await evaluateTflite(out.bytes, data, 'test');
    const tolerance = mode === 'float32' ? 0.005 : 0.03;
    assert.ok(Math.abs(result.accuracy - reference.accuracy) <= tolerance, `${label} ${mode}: TFLite ${result.accuracy} vs tfjs ${reference.accuracy}`);
  }
  assert.ok(sizes.int8 < sizes.float32 * 0.6 && sizes['dynamic-int8'] < sizes.float32 * 0.6, `${label}: int8 rows shrink the file (${JSON.stringify(sizes)})`);
}

describe('Keras text layers: train on wasm, export, run in TFLite', { timeout: 300_000 }, () => {
  let data: Dataset;
  before(async () => {
    await initEngine('wasm');
    data = sequences(800, 7);
  });

  it('replaces tfjs pooling classes by mask-aware ones under the Keras names', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    assert.equal(map.GlobalAveragePooling1D[0], MaskedGlobalAveragePooling1D);
    assert.equal(map.GlobalMaxPooling1D[0], MaskDroppingGlobalMaxPooling1D);
    const model = pooledModel(true);
    const ids = tf.tensor2d([[...new Array(STEPS - 2).fill(0), 5, 7], new Array(STEPS).fill(0)]);
    const pooled = tf.model({ inputs: model.inputs, outputs: model.layers[1].output as tf.SymbolicTensor });
    const out = pooled.predict(ids) as tf.Tensor;
    const rows = model.layers[0].apply(ids) as tf.Tensor;
    const expected = maskedMean(rows, tf.notEqual(ids, 0));
    assert.ok(tf.max(tf.abs(tf.sub(out, expected))).dataSync()[0] < 1e-7, 'the pooled mean skips padding');
    const e = rows.arraySync() as number[][][];
    assert.ok(Math.abs((out.arraySync() as number[][])[0][0] - (e[0][STEPS - 2][0] + e[0][STEPS - 1][0]) / 2) < 1e-6);
    assert.deepEqual(Array.from((out.arraySync() as number[][])[1]), new Array(8).fill(0), 'an all-padding sample pools to 0, not NaN');
  });

  for (const maskZero of [true, false]) {
    it(`Embedding(mask_zero=${maskZero}) → GlobalAveragePooling1D → Dense(1, sigmoid)`, async () => {
      const model = pooledModel(maskZero);
      await fit(model, data, { epochs: 8, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } });
      await checkExports(model, data, `pooled mask_zero=${maskZero}`);
      model.dispose();
    });
  }

  it('Arm NN 20.08 rejects the CAST that turns float ids into GATHER indices (measured limitation)', { skip: armNnUnavailableReason() }, async () => {
    const model = pooledModel(false);
    const out = await exportTflite(model, { quantization: 'float32' });
    await assert.rejects(runArmNn(out.bytes, new Float32Array(STEPS), [1, STEPS]), /Operator not supported.*CAST/);
    model.dispose();
  });

  it('Embedding → Conv1D → MaxPooling1D → GlobalMaxPooling1D → Dense(1, sigmoid)', async () => {
    const model = convModel();
    await fit(model, data, { epochs: 8, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 } });
    await checkExports(model, data, 'conv');
    model.dispose();
  });
});
