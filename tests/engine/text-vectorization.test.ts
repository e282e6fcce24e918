// Keras TextVectorization as a text front end: the reference vectorizer against vectors written
// by hand from the layer's documented algorithm (keras/layers/preprocessing/text_vectorization.py:
// tf.strings.lower — ASCII only without an encoding —, remove every character of
// DEFAULT_STRIP_REGEX [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~'], tf.strings.split on runs of ASCII
// whitespace, vocabulary lookup with "" = 0 and "[UNK]" = 1, the first output_sequence_length ids
// zero-padded at the end); a Keras 3 .keras file (Sequential and Functional) with the layer after
// its string input and the vocabulary in its assets imports as the model from the token ids on,
// and the front end travels in the .tflite metadata unchanged.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { importModel, readTextFrontEnd } from '../../services/engine/import/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { featurizeWithFrontEnd, frontEndFiles, frontEndFromFiles, textVectorizerFromConfig, vectorizeTexts, type TextVectorizer } from '../../services/engine/text/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { kerasFunctional, kerasInputLayer, kerasSequential, randomizeWeights, writeKerasZip, type LayerSpec } from '../helpers/fixtures-keras.ts';

// get_vocabulary() of an adapted layer: "" and "[UNK]" first, then tokens by frequency.
const VOCABULARY = ['', '[UNK]', 'the', 'cat', 'dont', 'sat', 'café', 'ab'];
const vectorizer: TextVectorizer = { vocabulary: VOCABULARY, standardize: 'lower_and_strip_punctuation' };
const L = 6;

// Each expectation derived by hand from the rules above (the comment is the derivation).
const CASES: [string, number[]][] = [
  // lower → "the cat sat." → strip "." → [the, cat, sat] → [2, 3, 5], padded
  ['The CAT sat.', [2, 3, 5, 0, 0, 0]],
  // lower, strip ' and ! → "dont  stop\tthe\ncat" → split on \s runs → [dont, stop, the, cat]; stop unknown → 1
  ["Don't  stop\tthe\ncat!", [4, 1, 2, 3, 0, 0]],
  // ASCII-only lower: "CAFÉ" → "cafÉ" (É stays) → unknown 1; "café" → 6
  ['CAFÉ café', [1, 6, 0, 0, 0, 0]],
  // "-" and "_" are removed, not separators: "a-b" → "ab" (7), "c_d" → "cd" (1)
  ['a-b c_d', [7, 1, 0, 0, 0, 0]],
  // more than L tokens: the first L kept
  ['the the the cat cat sat sat sat', [2, 2, 2, 3, 3, 5]],
  // U+00A0 is not ASCII whitespace: one token "\u00a0the" → 1; \v and \f are whitespace
  ['\u00a0the\vcat\fsat', [1, 3, 5, 0, 0, 0]],
  // nothing left
  ['', [0, 0, 0, 0, 0, 0]],
  ['?!.', [0, 0, 0, 0, 0, 0]],
];

const tvConfig = { name: 'text_vectorization', trainable: true, max_tokens: 8, standardize: 'lower_and_strip_punctuation', split: 'whitespace', ngrams: null, output_mode: 'int', output_sequence_length: L, pad_to_max_tokens: false, sparse: false, ragged: false, vocabulary: null, idf_weights: null, encoding: 'utf-8', vocabulary_size: 8 };

function reference(): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: VOCABULARY.length, outputDim: 4, inputLength: L, name: 'embedding' }),
    tf.layers.globalAveragePooling1d({ name: 'pool' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'dense' }),
  ] });
}

/** A Keras 3 .keras archive with the vocabulary where Keras saves it (assets/<layer path>/vocabulary.txt, "\n".join). */
async function kerasFile(functional: boolean, model: tf.Sequential): Promise<Uint8Array> {
  const layers = randomizeWeights(model, 7).filter((l) => l.weights.length > 0);
  const specs: LayerSpec[] = [
    { ...kerasInputLayer('keras3', 'text', [null, 1]), config: { batch_shape: [null, 1], dtype: 'string', sparse: false, name: 'text' } },
    { className: 'TextVectorization', name: 'text_vectorization', config: tvConfig, inbound: ['text'], inboundShapes: [[null, 1]] },
    { className: 'Embedding', name: 'embedding', config: { input_dim: VOCABULARY.length, output_dim: 4, mask_zero: false }, inputShape: [null, L], inbound: ['text_vectorization'], inboundShapes: [[null, L]] },
    { className: 'GlobalAveragePooling1D', name: 'pool', config: { data_format: 'channels_last', keepdims: false }, inputShape: [null, L, 4], inbound: ['embedding'], inboundShapes: [[null, L, 4]] },
    { className: 'Dense', name: 'dense', config: { units: 1, activation: 'sigmoid', use_bias: true }, inputShape: [null, 4], inbound: ['pool'], inboundShapes: [[null, 4]] },
  ];
  const config = functional ? kerasFunctional('keras3', 'functional', specs, ['text'], ['dense']) : kerasSequential('keras3', 'sequential', specs, [null, 1]);
  const zip = unzipSync(await writeKerasZip({ config, layers }));
  zip['assets/layers/text_vectorization/vocabulary.txt'] = strToU8(VOCABULARY.join('\n'));
  return zipSync(zip);
}

describe('TextVectorization front end', () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('vectorizes as the Keras rules do (hand-derived vectors)', () => {
    const out = vectorizeTexts(CASES.map(([t]) => t), vectorizer, L);
    CASES.forEach(([text, ids], i) => assert.deepEqual([...out.slice(i * L, (i + 1) * L)], ids, JSON.stringify(text)));
  });

  it('reads the layer config: special tokens put in front, unsupported options refused in one line', () => {
    assert.deepEqual(textVectorizerFromConfig(tvConfig, ['the', 'cat'], 'm.keras').vectorizer.vocabulary, ['', '[UNK]', 'the', 'cat']);
    assert.equal(textVectorizerFromConfig({ ...tvConfig, vocabulary: VOCABULARY }, undefined, 'm.keras').length, L);
    assert.throws(() => textVectorizerFromConfig({ ...tvConfig, output_mode: 'multi_hot' }, VOCABULARY, 'm.keras'), /output_mode "multi_hot".*only "int"/);
    assert.throws(() => textVectorizerFromConfig({ ...tvConfig, split: 'character' }, VOCABULARY, 'm.keras'), /only "whitespace"/);
    assert.throws(() => textVectorizerFromConfig({ ...tvConfig, ngrams: 2 }, VOCABULARY, 'm.keras'), /ngrams/);
    assert.throws(() => textVectorizerFromConfig({ ...tvConfig, output_sequence_length: null }, VOCABULARY, 'm.keras'), /output_sequence_length/);
    assert.throws(() => textVectorizerFromConfig(tvConfig, undefined, 'm.keras'), /no vocabulary.*\.keras/);
    assert.throws(() => textVectorizerFromConfig({ ...tvConfig, max_tokens: 4 }, VOCABULARY, 'm.keras'), /over max_tokens 4/);
  });

  for (const functional of [false, true]) {
    it(`a .keras ${functional ? 'Functional' : 'Sequential'} model: the layers after the vectorizer, the vocabulary from its assets, the front end in the .tflite`, async () => {
      const ref = reference();
      const bytes = await kerasFile(functional, ref);
      const imported = (await importModel({ filename: 'm.keras', bytes })).model!;
      assert.deepEqual(imported.inputs[0].shape, [null, L]);
      assert.ok(!imported.layers.some((l) => l.getClassName() === 'TextVectorization'));
      const frontEnd = readTextFrontEnd({ filename: 'm.keras', bytes });
      assert.deepEqual(frontEnd, { kind: 'text-vectorization', vectorizer, length: L });

      const texts = CASES.map(([t]) => t);
      const ids = vectorizeTexts(texts, vectorizer, L);
      const x = tf.tensor2d(ids, [texts.length, L]);
      assert.deepEqual((imported.predict(x) as tf.Tensor).dataSync(), (ref.predict(x) as tf.Tensor).dataSync());

      // Through the metadata files and back: the same vectors; the .tflite scores as tfjs does.
      const shipped = frontEndFromFiles(Object.fromEntries(frontEndFiles({ kind: 'text-vectorization', vectorizer, length: L }).map((f) => [f.name, f.bytes])));
      assert.deepEqual(featurizeWithFrontEnd(shipped, texts), ids);
      const { bytes: tflite } = await exportTflite(imported, { quantization: 'float32' });
      const runtime = await loadTfliteModel(tflite);
      const got = runtime.predict(ids, [texts.length, L]);
      runtime.dispose();
      const want = (imported.predict(x) as tf.Tensor).dataSync();
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5));
      imported.dispose();
    });
  }

  it('a vocabulary.txt beside config.json is the vocabulary; a tokenizer.json as well is refused', async () => {
    const zip = unzipSync(await kerasFile(false, reference()));
    delete zip['assets/layers/text_vectorization/vocabulary.txt'];
    assert.throws(() => readTextFrontEnd({ filename: 'm.zip', bytes: zipSync(zip) }), /no vocabulary/);
    zip['vocabulary.txt'] = strToU8(VOCABULARY.slice(0, 5).join('\n') + '\n');
    const frontEnd = readTextFrontEnd({ filename: 'm.zip', bytes: zipSync(zip) });
    assert.deepEqual(frontEnd?.kind === 'text-vectorization' && frontEnd.vectorizer.vocabulary, VOCABULARY.slice(0, 5));
    zip['tokenizer.json'] = strToU8('{}');
    assert.throws(() => readTextFrontEnd({ filename: 'm.zip', bytes: zipSync(zip) }), /keep one front end/);
  });
});
