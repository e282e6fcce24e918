// A text run end to end through the embedded runner with the REAL activities: a user's Keras-style
// text classifier (Embedding(mask_zero) → GlobalAveragePooling1D → Dense(1, sigmoid)) uploaded as a
// TF.js layers zip with its Keras tokenizer.json, a JSONL dataset of raw texts with string labels,
// int8 quantization; the stored .tflite, fed texts tokenised by the reference front end, scores
// exactly the accuracy the run reported.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { featurizeWithFrontEnd, parseKerasTokenizer, textFrontEndOfTflite, tokenIdsDataset, tokenizedDataset, tokenizeTexts, type TokenFrontEnd } from '../../services/engine/text/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { kerasSequential, writeKerasZip, type FixtureLayer, type LayerSpec } from '../helpers/fixtures-keras.ts';
import type { RunServices } from '../../services/runs/run-services.ts';
import { openTestRunServices, runToEnd, type TestRunServices } from '../helpers/local-run.ts';
import { mails, padding, textModelZip, tokenizerJson, WORDS } from '../helpers/text-fixtures.ts';

let stack: TestRunServices;
let services: RunServices;

before(async () => {
  stack = await openTestRunServices('text-run', { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 });
  ({ services } = stack);
});
after(() => stack.close());

test('a JSONL text dataset and a sigmoid Embedding model with its tokenizer run, quantize and score as reported', async () => {
  await initEngine('wasm');
  const data = mails(600);
  const tokenizer = parseKerasTokenizer(tokenizerJson);
  const zip = await textModelZip(data);

  const { result, candidates } = await runToEnd(services, {
    model: { filename: 'spam-model.zip', bytes: zip },
    data: { filename: 'mail.jsonl', bytes: data },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'quantization', config: { modes: ['int8'] } }],
    constraints: {},
  });
  assert.equal(result.status, 'succeeded', result.message);
  const ok = candidates.filter((c) => c.status === 'succeeded');
  assert.ok(ok.length > 0, candidates.map((c) => `${c.key}: ${c.failure_message}`).join('; '));
  for (const c of ok) {
    assert.ok(c.accuracy! > 0.85, `${c.key} accuracy ${c.accuracy}`);
    const tflite = await services.blobs.read(c.tflite_sha256!);
    // The file carries the tokenizer (vocab.txt + rules): it tokenises as the uploaded one does.
    const frontEnd = textFrontEndOfTflite(tflite);
    assert.equal(frontEnd.kind, 'keras-tokenizer');
    const texts = ['w150 w3 w199 unseenword! w120', 'w2 w2 w3 hello there'];
    assert.deepEqual(featurizeWithFrontEnd(frontEnd, texts), tokenizeTexts(texts, tokenizer, padding));
    // Held-out texts through the reference front end, the downloaded file in the TFLite runtime.
    const heldOut = tokenizedDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), tokenizer, padding);
    const measured = await evaluateTflite(tflite, heldOut, 'test', { limit: 200 });
    assert.equal(measured.accuracy, c.accuracy, `${c.key}: the file scores what the run reported`);
    // Two classes: the candidate records ROC AUC of the same file on the same samples.
    assert.equal(c.auc, measured.auc, `${c.key}: AUC as measured`);
    assert.ok(c.auc! > 0.9, `${c.key} AUC ${c.auc}`);
  }
});

test('vocabulary pruning → int8: the file ships the tokenizer with num_words = its rows and scores as reported', async () => {
  await initEngine('wasm');
  const data = mails(600);
  const tokenizer = parseKerasTokenizer(tokenizerJson);
  const zip = await textModelZip(data);
  const { result, candidates: [c] } = await runToEnd(services, {
    model: { filename: 'spam-model.zip', bytes: zip },
    data: { filename: 'mail.jsonl', bytes: data },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'pruning', config: { mode: 'vocabulary', coverage: 0.9 } }, { plugin: 'quantization', config: { modes: ['int8'] } }],
    constraints: {},
  });
  assert.equal(result.status, 'succeeded', result.message);
  assert.equal(c.status, 'succeeded', c.failure_message ?? '');
  const tflite = await services.blobs.read(c.tflite_sha256!);
  const frontEnd = textFrontEndOfTflite(tflite);
  assert.equal(frontEnd.kind, 'keras-tokenizer');
  if (frontEnd.kind !== 'keras-tokenizer') return;
  const rows = frontEnd.tokenizer.numWords!;
  assert.ok(rows > 2 && rows < 200, `num_words ${rows}`);
  // The shipped vocabulary holds only the kept ids; a dropped word reads as OOV (1).
  assert.equal(Math.max(...frontEnd.tokenizer.wordIndex.values()), rows - 1);
  const texts = [`w${rows} w2 w${rows - 1}`];
  assert.deepEqual([...featurizeWithFrontEnd(frontEnd, texts).slice(0, 3)], [1, 2, rows - 1]);
  // Held-out texts through the file's own front end, the file in TFLite: the reported accuracy.
  const heldOut = tokenizedDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), { ...tokenizer, numWords: rows }, padding);
  const measured = await evaluateTflite(tflite, heldOut, 'test', { limit: 200 });
  assert.equal(measured.accuracy, c.accuracy);
  assert.ok(c.accuracy! > 0.8, `accuracy ${c.accuracy}`);
});

test('a .keras model with its TextVectorization layer runs: the file ships the layer as its front end and scores as reported', async () => {
  await initEngine('wasm');
  const data = mails(600);
  const L = 16;
  // get_vocabulary() of the adapted layer: "", "[UNK]", then the words.
  const vocabulary = ['', '[UNK]', ...Array.from({ length: WORDS - 2 }, (_, k) => `w${k + 2}`)];
  const vectorizer = { vocabulary, standardize: 'lower_and_strip_punctuation' as const };
  // The user's side: train Embedding → pooling → Dense on the vectorized training texts.
  const model = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: vocabulary.length, outputDim: 8, inputLength: L, name: 'embedding', embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
    tf.layers.globalAveragePooling1d({ name: 'pool' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'dense', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  const train = tokenIdsDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), { kind: 'text-vectorization', vectorizer, length: L });
  await fit(model, train, { epochs: 8, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } });
  const layers: FixtureLayer[] = model.layers.filter((l) => l.weights.length > 0).map((l) => ({
    name: l.name, weights: l.getWeights().map((w, i) => ({ name: l.weights[i].originalName.split('/').pop()!, shape: w.shape, values: w.dataSync() as Float32Array })),
  }));
  const specs: LayerSpec[] = [
    { className: 'InputLayer', name: 'text', config: { batch_shape: [null, 1], dtype: 'string', sparse: false, name: 'text' } },
    { className: 'TextVectorization', name: 'text_vectorization', config: { max_tokens: vocabulary.length, standardize: 'lower_and_strip_punctuation', split: 'whitespace', ngrams: null, output_mode: 'int', output_sequence_length: L, vocabulary: null } },
    { className: 'Embedding', name: 'embedding', config: { input_dim: vocabulary.length, output_dim: 8 }, inputShape: [null, L] },
    { className: 'GlobalAveragePooling1D', name: 'pool', config: { data_format: 'channels_last', keepdims: false }, inputShape: [null, L, 8] },
    { className: 'Dense', name: 'dense', config: { units: 1, activation: 'sigmoid', use_bias: true }, inputShape: [null, 8] },
  ];
  const zip = unzipSync(await writeKerasZip({ config: kerasSequential('keras3', 'sequential', specs, [null, 1]), layers }));
  zip['assets/layers/text_vectorization/vocabulary.txt'] = strToU8(vocabulary.join('\n'));
  const { result, candidates } = await runToEnd(services, {
    model: { filename: 'spam.keras', bytes: zipSync(zip) },
    data: { filename: 'mail.jsonl', bytes: data },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'quantization', config: { modes: ['int8'] } }],
    constraints: {},
  });
  assert.equal(result.status, 'succeeded', result.message);
  const [c] = candidates;
  assert.equal(c.status, 'succeeded', c.failure_message ?? '');
  const tflite = await services.blobs.read(c.tflite_sha256!);
  const frontEnd = textFrontEndOfTflite(tflite);
  assert.deepEqual(frontEnd, { kind: 'text-vectorization', vectorizer, length: L });
  // Held-out texts through the file's front end, the file in TFLite: the reported accuracy.
  const heldOut = tokenIdsDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), frontEnd as TokenFrontEnd);
  const measured = await evaluateTflite(tflite, heldOut, 'test', { limit: 200 });
  assert.equal(measured.accuracy, c.accuracy);
  assert.ok(c.accuracy! > 0.85, `accuracy ${c.accuracy}`);
  model.dispose();
});
