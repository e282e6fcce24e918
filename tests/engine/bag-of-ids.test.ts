// The GATHER-free form of Embedding → GlobalAveragePooling1D models (services/engine/text/bag-of-ids*.ts):
// the same outputs as the Embedding model, from FULLY_CONNECTED layers over the bag of ids, in
// tfjs, TFLite and Arm NN (which has no GATHER), masked and unmasked, float32 and int8; the bag
// rule travels in the file's text_front_end.json and the reference featuriser applies it.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { MaskedGlobalAveragePooling1D } from '../../services/engine/layers/masked-pooling.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { bagOfIds, featurizeWithFrontEnd, fitKerasTokenizer, frontEndFiles, frontEndFromFiles, frontEndInputShape, tokenIds, type TextFrontEnd } from '../../services/engine/text/index.ts';
import { bagOfIdsModel, hasBagOfIdsForm } from '../../services/engine/text/bag-of-ids-model.ts';

const V = 30;
const L = 8;

function textModel(maskZero: boolean): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: V, outputDim: 4, inputLength: L, maskZero, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }) }),
    new MaskedGlobalAveragePooling1D({}) as unknown as tf.layers.Layer,
    tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
}

/** Token rows padded at the end (one empty text, one with a repeated id, one full). */
const IDS = Float32Array.from([
  3, 7, 7, 29, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0,
  5, 5, 5, 0, 0, 0, 0, 0,
  1, 2, 3, 4, 5, 6, 7, 8,
  12, 0, 0, 0, 0, 0, 0, 0,
]);
const N = IDS.length / L;

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('bag-of-ids form of Embedding → GlobalAveragePooling1D', () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('counts ids ≠ 0 (unmasked) or their fractions of the non-padding ids (masked)', () => {
    const counts = bagOfIds(IDS, N, { rows: V, weighting: 'count' });
    assert.deepEqual([counts[3], counts[7], counts[29], counts[1], counts[0]], [1, 2, 1, 1, 0]);
    assert.ok(counts.subarray(V, 2 * V).every((v) => v === 0), 'an empty text is all zeros');
    const fractions = bagOfIds(IDS, N, { rows: V, weighting: 'fraction' });
    assert.deepEqual([fractions[3], fractions[7], fractions[0]], [Math.fround(0.2), Math.fround(0.4), 0]);
    assert.equal(fractions[2 * V + 5], 1, 'one id three times: all of the text');
    assert.throws(() => bagOfIds([V], 1, { rows: V, weighting: 'count' }), /outside the embedding's 30 rows/);
  });

  for (const maskZero of [false, true]) {
    it(`${maskZero ? 'masked' : 'unmasked'}: tfjs, TFLite and Arm NN give the Embedding model's outputs`, async () => {
      const model = textModel(maskZero);
      assert.ok(hasBagOfIdsForm(model));
      const form = bagOfIdsModel(model)!;
      assert.deepEqual(form.bag, { rows: V, weighting: maskZero ? 'fraction' : 'count' });
      const expected = (model.predict(tf.tensor2d(IDS, [N, L])) as tf.Tensor).dataSync();
      const bag = bagOfIds(IDS, N, form.bag);
      const viaBag = (form.model.predict(tf.tensor2d(bag, [N, V])) as tf.Tensor).dataSync();
      assert.ok(maxDiff(viaBag, expected) < 1e-5, `tfjs bag form ${maxDiff(viaBag, expected)}`);

      const float = await exportTflite(form.model, { quantization: 'float32' });
      assert.deepEqual([...new Set(float.ops)].sort(), ['FULLY_CONNECTED', 'LOGISTIC']);
      // Calibration: texts like the test's (a text of one repeated id is a fraction of 1) and others.
      const rep = [bag, bagOfIds(Float32Array.from({ length: 64 * L }, (_, i) => ((i * 7919) % V) * (i % L < 5 ? 1 : 0)), 64, form.bag)];
      const int8 = await exportTflite(form.model, { quantization: 'int8', representativeData: rep });
      assert.ok(!int8.ops.includes('GATHER') && !int8.ops.includes('CAST'), `${int8.ops}`);
      for (const [name, file, tolerance] of [['float32', float.bytes, 1e-5], ['int8', int8.bytes, 0.05]] as const) {
        const runtime = await loadTfliteModel(file);
        const got = runtime.predict(bag, [N, V]);
        runtime.dispose();
        assert.ok(maxDiff(got, expected) < tolerance, `TFLite ${name}: ${maxDiff(got, expected)}`);
        if (!armNnUnavailableReason()) {
          const arm = await runArmNn(file, bag, [N, V]);
          assert.ok(maxDiff(arm.output, expected) < tolerance, `Arm NN ${name}: ${maxDiff(arm.output, expected)}`);
        }
      }
      // The Embedding model's own file is what Arm NN refuses (GATHER).
      if (!armNnUnavailableReason()) {
        const gather = await exportTflite(model, { quantization: 'float32' });
        await assert.rejects(runArmNn(gather.bytes, IDS.slice(0, L), [1, L]), /not supported/i);
      }
      form.model.dispose();
      model.dispose();
    });
  }

  it('a model without the pattern has no bag form', () => {
    const lstm = tf.sequential({ layers: [tf.layers.embedding({ inputDim: V, outputDim: 4, inputLength: L }), tf.layers.globalMaxPooling1d({}), tf.layers.dense({ units: 1 })] });
    assert.equal(hasBagOfIdsForm(lstm), false);
    assert.equal(bagOfIdsModel(lstm), null);
  });

  it('the bag rule ships in text_front_end.json and the reference featuriser applies it', () => {
    const tokenizer = fitKerasTokenizer(['win cash now', 'lunch now?', 'cash cash cash'], { numWords: 10, oovToken: '<OOV>' });
    const frontEnd: TextFrontEnd = { kind: 'keras-tokenizer', tokenizer, padding: { length: L, padding: 'post', truncating: 'post' }, bag: { rows: 10, weighting: 'count' } };
    const shipped = frontEndFromFiles(Object.fromEntries(frontEndFiles(frontEnd).map((f) => [f.name, f.bytes])));
    assert.deepEqual(shipped.kind === 'keras-tokenizer' && shipped.bag, { rows: 10, weighting: 'count' });
    assert.deepEqual(frontEndInputShape(shipped), [10]);
    const texts = ['cash now cash', 'unknown words here'];
    assert.deepEqual(featurizeWithFrontEnd(shipped, texts), bagOfIds(tokenIds(shipped as never, texts), 2, { rows: 10, weighting: 'count' }));
    assert.throws(() => frontEndFromFiles({ 'text_front_end.json': new TextEncoder().encode(JSON.stringify({ kind: 'keras-tokenizer', vocabulary: ['', 'a'], length: 2, bag: { rows: 0 } })) }), /"bag" must be/);
  });
});
