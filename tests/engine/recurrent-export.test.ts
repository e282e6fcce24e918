// LSTM, GRU and Bidirectional export as an unrolled graph (STRIDED_SLICE, FULLY_CONNECTED, LOGISTIC, TANH,
// MUL, ADD, CONCATENATION): the TFLite runtime and Arm NN compute what tfjs computes (float32),
// quantized files stay close, and what cannot be expressed is refused in one line.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, exportTfjsLayersZip, type QuantizationMode } from '../../services/engine/export/index.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';

const STEPS = 6;
const FEATURES = 3;
const N = 8;
const init = (k: number) => tf.initializers.glorotUniform({ seed: k });
const lstm = (units: number, k: number, extra: Record<string, unknown> = {}) => tf.layers.lstm({
  units, recurrentActivation: 'sigmoid', kernelInitializer: init(k), recurrentInitializer: init(k + 50), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: k + 90 }), ...extra,
});

function inputs(): Float32Array {
  let s = 7;
  return Float32Array.from({ length: N * STEPS * FEATURES }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

const gru = (units: number, k: number, extra: Record<string, unknown> = {}) => tf.layers.gru({
  units, recurrentActivation: 'sigmoid', kernelInitializer: init(k), recurrentInitializer: init(k + 50), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: k + 90 }), ...extra,
});

const MODELS: Record<string, () => tf.LayersModel> = {
  'GRU(return_sequences) → GRU(go_backwards) → Dense': () => tf.sequential({ layers: [
    gru(4, 11, { inputShape: [STEPS, FEATURES], returnSequences: true }), gru(3, 12, { goBackwards: true }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(13) }),
  ] }),
  'Bidirectional(GRU) → Dense(sigmoid)': () => tf.sequential({ layers: [
    tf.layers.bidirectional({ layer: gru(3, 14) as never, inputShape: [STEPS, FEATURES] }), tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(15) }),
  ] }),
  'LSTM → Dense(softmax)': () => tf.sequential({ layers: [lstm(5, 1, { inputShape: [STEPS, FEATURES] }), tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2) })] }),
  'LSTM(return_sequences) → LSTM(go_backwards) → Dense': () => tf.sequential({ layers: [
    lstm(4, 3, { inputShape: [STEPS, FEATURES], returnSequences: true }), lstm(3, 4, { goBackwards: true }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(5) }),
  ] }),
  'Bidirectional(LSTM, sequences) → GlobalAveragePooling1D → Dense(sigmoid)': () => tf.sequential({ layers: [
    tf.layers.bidirectional({ layer: lstm(4, 6, { returnSequences: true }) as never, inputShape: [STEPS, FEATURES] }),
    tf.layers.globalAveragePooling1d({}), tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(7) }),
  ] }),
  'Bidirectional(LSTM, merge sum) → Dense': () => tf.sequential({ layers: [
    tf.layers.bidirectional({ layer: lstm(4, 8) as never, mergeMode: 'sum', inputShape: [STEPS, FEATURES] }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(9) }),
  ] }),
};

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('recurrent layers export unrolled', { timeout: 300_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  for (const [label, build] of Object.entries(MODELS)) {
    it(label, async () => {
      const model = build();
      const x = inputs();
      const want = (model.predict(tf.tensor3d(x, [N, STEPS, FEATURES])) as tf.Tensor).dataSync();
      for (const quantization of ['float32', 'dynamic-int8', 'int8'] as QuantizationMode[]) {
        const calibration = (async function* () { yield x; })();
        const out = await exportTflite(model, { quantization, ...(quantization === 'int8' ? { representativeData: calibration, calibrationSamples: N } : {}) });
        assert.ok(!out.ops.includes('UNIDIRECTIONAL_SEQUENCE_LSTM') && out.ops.includes('FULLY_CONNECTED'), `${quantization}: ops ${out.ops}`);
        const tflite = await loadTfliteModel(out.bytes);
        let got;
        try {
          got = tflite.predict(x, [N, STEPS, FEATURES]);
        } finally {
          tflite.dispose();
        }
        const tolerance = quantization === 'float32' ? 1e-5 : 0.08;
        assert.ok(maxDiff(got, want) < tolerance, `${label} ${quantization}: TFLite differs from tfjs by ${maxDiff(got, want)}`);
        if (quantization !== 'dynamic-int8' && !armNnUnavailableReason()) {
          const arm = await runArmNn(out.bytes, x, [N, STEPS, FEATURES]);
          assert.ok(maxDiff(arm.output, want) < tolerance, `${label} ${quantization}: Arm NN differs from tfjs by ${maxDiff(arm.output, want)}`);
        }
      }
      model.dispose();
    });
  }

  it('LSTM, GRU and Bidirectional models import (layers zip round trip) and predict the same', async () => {
    for (const label of ['LSTM(return_sequences) → LSTM(go_backwards) → Dense', 'Bidirectional(LSTM, sequences) → GlobalAveragePooling1D → Dense(sigmoid)', 'Bidirectional(GRU) → Dense(sigmoid)']) {
      const model = MODELS[label]();
      const imported = (await importModel({ filename: 'model.zip', bytes: await exportTfjsLayersZip(model) })).model!;
      const x = tf.tensor3d(inputs(), [N, STEPS, FEATURES]);
      assert.ok(maxDiff((imported.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync()) < 1e-6, label);
      model.dispose();
      imported.dispose();
    }
  });

  it('a Keras TextVectorization layer is refused with the way forward', async () => {
    const config = { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 1], dtype: 'string', name: 'in' } },
      { class_name: 'TextVectorization', config: { name: 'vectorize', max_tokens: 5000, output_sequence_length: 40 } },
      { class_name: 'Embedding', config: { name: 'e', input_dim: 5000, output_dim: 16 } },
    ] } };
    const files = new Map([['model.json', new TextEncoder().encode(JSON.stringify({ format: 'layers-model', modelTopology: config, weightsManifest: [] }))]]);
    await assert.rejects(importModel({ files }), /TextVectorization \("vectorize"\).*upload the model from its token-id input.*tokenizer\.json.*ProjectionNet/);
  });

  it('refuses what the unrolled graph cannot express, in one line', async () => {
    const masked = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: STEPS, maskZero: true }), lstm(2, 1)] });
    await assert.rejects(exportTflite(masked, { quantization: 'float32' }), /masked sequence.*mask_zero=False/);
    const hard = tf.sequential({ layers: [tf.layers.lstm({ units: 2, inputShape: [STEPS, FEATURES] })] }); // tfjs default recurrent activation: hardSigmoid
    await assert.rejects(exportTflite(hard, { quantization: 'float32' }), /recurrent_activation 'hardSigmoid' cannot be exported/);
    masked.dispose();
    hard.dispose();
  });
});
