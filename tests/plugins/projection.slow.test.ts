// The projection plugin (ProjectionNet) and its pieces: the farmhash port against the BigInt
// reference, the wasm scorer and TFLite's own LSH_PROJECTION kernel; the featuriser's
// determinism; exported models agreeing bit for bit with the tfjs layer; and a spam/ham run
// through the real plugin host whose .tflite fits 64 KiB and reaches 0.95 test accuracy in the
// TFLite interpreter.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import {
  DEFAULT_TEXT_FEATURIZER, featurizeTexts, fingerprint64, fingerprint64AsDouble, fingerprint64Key8, lshProjectBatch,
  lshProjectDense, lshProjectDenseJs, lshSeeds, textFeaturizerOfModel,
} from '../../services/engine/text/index.ts';
import { evaluateTextTflite } from '../../services/engine/text/evaluate-tflite.ts';
import { spamAssassinDataset } from '../../services/engine/text/spam-assassin.ts';
import { loadMnistNpm } from '../../services/engine/data/index.ts';
import { createPluginHost, deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { lshProjectionLayerClass } from '@condense/plugin-sdk';
import { featurizerFromConfig } from '../../plugins/projection/src/index.ts';

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

before(async () => {
  await initEngine('wasm');
});

describe('farmhash Fingerprint64 port', () => {
  test('matches farmhash for the empty key and the fast 8-byte path matches the reference', () => {
    // farmhashna::HashLen0to16 returns k2 for an empty key.
    assert.equal(fingerprint64(new Uint8Array(0)), 0x9ae16a3b2f90404fn);
    const rnd = random(5);
    const key = new Uint8Array(8);
    const view = new DataView(key.buffer);
    for (let i = 0; i < 5000; i++) {
      const lo = Math.floor(rnd() * 2 ** 32);
      const hi = Math.floor(rnd() * 2 ** 32);
      view.setUint32(0, lo, true);
      view.setUint32(4, hi, true);
      assert.equal(fingerprint64Key8(lo, hi), fingerprint64AsDouble(key), `key ${lo}/${hi}`);
    }
    assert.throws(() => fingerprint64(new Uint8Array(17)), /longer than 16 bytes/);
  });

  test('the wasm scorer computes the same bits as the JavaScript version', () => {
    const rnd = random(9);
    const seeds = lshSeeds(16, 8);
    for (let k = 0; k < 30; k++) {
      const n = 1 + Math.floor(rnd() * 200);
      const elements = Uint32Array.from({ length: n }, () => Math.floor(rnd() * 2 ** 32));
      const weights = Float32Array.from({ length: n }, () => (rnd() < 0.2 ? 0 : rnd() - 0.4));
      const a = new Uint8Array(seeds.length);
      const b = new Uint8Array(seeds.length);
      lshProjectDense(seeds, elements, weights, a);
      lshProjectDenseJs(seeds, elements, weights, b);
      assert.deepEqual(a, b);
    }
  });
});

describe('text featuriser', () => {
  const cfg = { ...DEFAULT_TEXT_FEATURIZER, maxFeatures: 32, charNgrams: [4] };

  test('is deterministic, order-independent and pads with id 0 / weight 0', () => {
    const texts = ['Buy CHEAP pills now!!! now', 'Meeting moved to noon, see agenda', ''];
    const a = featurizeTexts(texts, cfg);
    const b = featurizeTexts([...texts].reverse(), cfg);
    const size = 2 * cfg.maxFeatures;
    for (let i = 0; i < texts.length; i++) assert.deepEqual(a.subarray(i * size, (i + 1) * size), b.subarray((texts.length - 1 - i) * size, (texts.length - i) * size));
    assert.deepEqual(featurizeTexts(['buy cheap pills now!!! now'], cfg), featurizeTexts(['Buy  CHEAP\npills now!!! now'], cfg));
    // Live weights have unit L2 norm; the empty text is all padding.
    const w = a.subarray(cfg.maxFeatures, size);
    assert.ok(Math.abs(w.reduce((s, v) => s + v * v, 0) - 1) < 1e-5);
    assert.ok(a.subarray(2 * size).every((v) => v === 0));
    assert.throws(() => featurizeTexts(['x'], { ...cfg, idSpace: 2 ** 25 }), /idSpace/);
  });
});

describe('LshProjection layer exported to TFLite', () => {
  test('text and vector modes: the TFLite LSH_PROJECTION bits equal the tfjs layer bits', async () => {
    const Lsh = lshProjectionLayerClass(tf);
    const n = 24;
    const cfg = { ...DEFAULT_TEXT_FEATURIZER, maxFeatures: n, charNgrams: [3] };
    const texts = ['hello world, this is a test of the projection', 'WIN a FREE prize, click now', 'lunch at noon?', ''];
    const x = featurizeTexts(texts, cfg);
    const vectors = Float32Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i * 1.7) * (i % 5 === 0 ? 0 : 2));
    for (const [mode, shape, data] of [['text', [2, n], x], ['vector', [6], vectors]] as const) {
      const input = tf.input({ shape: [...shape] });
      const bits = new Lsh({ numHash: 12, numBits: 5, inputMode: mode }).apply(input) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: bits });
      const expected = (model.predict(tf.tensor(data, [4, ...shape])) as tf.Tensor).dataSync();
      assert.deepEqual(Array.from(expected), Array.from(lshProjectBatch(data, 4, shape.reduce((a, b) => a * b, 1), { numHash: 12, numBits: 5, inputMode: mode })));
      // Every mode stores the seeds as FLOAT16 (DEQUANTIZE at load); the bits must not change.
      for (const quantization of ['float32', 'float16'] as const) {
        const exported = await exportTflite(model, { quantization });
        assert.ok(exported.ops.includes('LSH_PROJECTION') && exported.ops.includes('CAST') && exported.ops.includes('DEQUANTIZE'), `${exported.ops}`);
        const runtime = await loadTfliteModel(exported.bytes);
        try {
          const actual = runtime.predict(data, [4, ...shape]);
          assert.deepEqual(Array.from(actual), Array.from(expected), `${mode} bits differ (${quantization})`);
          assert.ok(expected.some((v) => v === 1) && expected.some((v) => v === 0));
        } finally {
          runtime.dispose();
        }
      }
    }
  });
});

describe('projection plugin through the plugin host', () => {
  let host: PluginHost;
  before(async () => {
    host = await createPluginHost({ backend: 'wasm', pluginList: '' });
  });

  test('dense vectors: the input model trains jointly as the trainer; TFLite agrees with tfjs', async () => {
    const data = await loadMnistNpm({ maxSamples: 800, seed: 2 });
    const trainer = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const result = await host.invoke('projection', { model: trainer, data, config: { epochs: 5, numHash: 32, numBits: 8, hiddenUnits: 16, quantization: 'float32' } });
    assert.deepEqual(result.failures, []);
    const [candidate] = result.candidates;
    assert.equal(candidate.metrics!.textInput, 0);
    assert.equal(textFeaturizerOfModel(await deserializeModel(candidate.model)), undefined);
    assert.ok(candidate.metrics!.validationAccuracy! > 0.3, `validation accuracy ${candidate.metrics!.validationAccuracy}`);
    const model = await deserializeModel(candidate.model);
    const exported = await exportTflite(model, { quantization: 'float32' });
    assert.deepEqual(exported.ops, ['DEQUANTIZE', 'RESHAPE', 'LSH_PROJECTION', 'CAST', 'FULLY_CONNECTED', 'SOFTMAX']);
    const runtime = await loadTfliteModel(exported.bytes);
    try {
      for await (const b of data.batches('validation', 40, { limit: 40 })) {
        const expected = (model.predict(tf.tensor(b.x!, [b.size, 28, 28, 1])) as tf.Tensor).dataSync();
        const actual = runtime.predict(b.x!, [b.size, 28, 28, 1]);
        for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) < 1e-4, `output ${i}: ${expected[i]} vs ${actual[i]}`);
      }
    } finally {
      runtime.dispose();
    }
  });

  test('spam/ham: .tflite ≤ 64 KiB, ≥ 0.95 test accuracy in TFLite, agreeing with tfjs', async () => {
    const data = spamAssassinDataset({ limit: 2500, seed: 3 });
    const config = { epochs: 8, trainerBuckets: 2048, trainerHiddenUnits: 64 };
    const base = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 2 })] }); // unused for text: the plugin builds its trainer
    const result = await host.invoke('projection', { model: base, data, config });
    assert.deepEqual(result.failures, []);
    const [candidate] = result.candidates;
    assert.equal(candidate.name, 'projection-256x8');
    assert.deepEqual(candidate.exportHints, { quantization: 'dynamic-int8' });
    assert.match(candidate.notes ?? '', /featurizeTexts/);
    assert.ok(candidate.metrics!.validationAccuracy! >= 0.9, `validation accuracy ${candidate.metrics!.validationAccuracy}`);

    const model = await deserializeModel(candidate.model);
    const exported = await exportTflite(model, { quantization: 'dynamic-int8' });
    assert.ok(exported.bytes.length <= 65536, `${exported.bytes.length} bytes`);
    assert.deepEqual(exported.ops, ['DEQUANTIZE', 'RESHAPE', 'SLICE', 'LSH_PROJECTION', 'CAST', 'FULLY_CONNECTED', 'SOFTMAX']);

    // The model carries its featuriser: the config the plugin's defaults imply.
    const featurizer = textFeaturizerOfModel(model)!;
    assert.deepEqual(featurizer, featurizerFromConfig({ maxFeatures: 512, wordNgrams: [1, 2], charNgrams: [4] }));
    const tflite = await evaluateTextTflite(exported.bytes, data, 'test', featurizer);
    assert.ok(tflite.samples >= 150);
    assert.ok(tflite.accuracy >= 0.95, `TFLite test accuracy ${tflite.accuracy}`);

    // The tfjs model (same featuriser, same projection) predicts the same classes.
    const texts: string[] = [];
    for await (const b of data.batches('test', 256)) texts.push(...b.texts!);
    const probs = model.predict(tf.tensor(featurizeTexts(texts, featurizer), [texts.length, 2, 512])) as tf.Tensor;
    const tfjsPred = tf.argMax(probs, -1).dataSync();
    let agree = 0;
    for (let i = 0; i < texts.length; i++) if (tfjsPred[i] === tflite.predictions[i]) agree++;
    assert.ok(agree / texts.length >= 0.99, `agreement ${agree}/${texts.length}`);
    // Full int8 (dense layers int8, projection left float/int32 by the exporter) also holds up.
    async function* calibration(): AsyncIterable<Float32Array> {
      for await (const b of data.batches('train', 50, { limit: 200 })) yield featurizeTexts(b.texts!, featurizer);
    }
    const int8 = await exportTflite(model, { quantization: 'int8', representativeData: calibration(), calibrationSamples: 200 });
    assert.ok(int8.bytes.length <= 65536, `int8: ${int8.bytes.length} bytes`);
    const int8Eval = await evaluateTextTflite(int8.bytes, data, 'test', featurizer, { limit: 100 });
    let int8Agree = 0;
    for (let i = 0; i < int8Eval.samples; i++) if (int8Eval.predictions[i] === tflite.predictions[i]) int8Agree++;
    assert.ok(int8Agree / int8Eval.samples >= 0.97, `int8 agreement ${int8Agree}/${int8Eval.samples}`);
    console.log(`projection: ${exported.bytes.length} bytes, TFLite test accuracy ${tflite.accuracy.toFixed(3)} on ${tflite.samples}, tfjs agreement ${agree}/${texts.length}`);
  });
});
