// The text front end ships inside the .tflite file (issue #13 item 4): a user's Keras tokenizer as
// vocab.txt (VOCABULARY) + text_front_end.json, a ProjectionNet's featuriser as text_front_end.json,
// associated files of the input tensor in the standard metadata. Read back from the file alone,
// the reference featuriser gives bit-for-bit the input the training path fed (tokenizedDataset /
// featurizedDataset), and TFLite run on it predicts what the tfjs model predicts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { TextFeaturizerConfig } from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { exportTflite, readTfliteMetadata, type TfliteMetadata } from '../../services/engine/export/index.ts';
import { MaskedGlobalAveragePooling1D } from '../../services/engine/layers/masked-pooling.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import {
  featurizedDataset, featurizeWithFrontEnd, frontEndFiles, frontEndInputShape, parseKerasTokenizer, textFrontEndOfTflite, tokenizedDataset, type TextFrontEnd,
} from '../../services/engine/text/index.ts';

const WORDS = ['<OOV>', 'free', 'money', 'now', 'meeting', 'tomorrow', 'click', 'here', 'lunch', 'offer', 'winner', 'report'];
// num_words 9: ids 9.. (lunch, offer, winner, report) become the OOV id, as Keras does.
const TOKENIZER = JSON.stringify({
  class_name: 'Tokenizer',
  config: { num_words: 9, filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', lower: true, split: ' ', char_level: false, oov_token: '<OOV>', word_index: JSON.stringify(Object.fromEntries(WORDS.map((w, i) => [w, i + 1]))) },
});
const TEXTS = [
  'FREE money now!!! Click here', 'Meeting tomorrow, lunch?', 'winner winner: claim the OFFER', 'report attached — see you at the meeting tomorrow',
  'click click click here here now free money free money now meeting', '!!!', 'Ünïcödé naïve café free', 'tab\tseparated\nlines free',
];
const jsonl = new TextEncoder().encode(TEXTS.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'ham' : 'spam' })).join('\n'));

const META = (frontEnd: TextFrontEnd): TfliteMetadata => ({
  name: 'spam', version: 'v1', description: 'test', author: 'Condense', license: '',
  input: { name: 'text', description: 'Raw text', colorSpace: null, normalization: null, files: frontEndFiles(frontEnd) },
  output: { description: 'Probability', kind: 'probabilities', labels: ['ham', 'spam'] },
});

describe('text front end in the .tflite file', { timeout: 120_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  it("a Keras tokenizer model: the file's vocab.txt + rules tokenise bit-equal to the training path, and TFLite agrees with tfjs", async () => {
    const tokenizer = parseKerasTokenizer(TOKENIZER);
    const padding = { length: 6, padding: 'pre' as const, truncating: 'post' as const };
    const frontEnd: TextFrontEnd = { kind: 'keras-tokenizer', tokenizer, padding };
    const model = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 6, maskZero: true, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) }),
      new MaskedGlobalAveragePooling1D({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ] });
    const { bytes } = await exportTflite(model, { quantization: 'float32', metadata: META(frontEnd) });

    const meta = readTfliteMetadata(bytes)!;
    assert.deepEqual(meta.input.files!.map((f) => [f.name, f.type]), [['text_front_end.json', 'DESCRIPTIONS'], ['vocab.txt', 'VOCABULARY']]);
    assert.deepEqual(meta.output.labels, ['ham', 'spam']);
    // The vocabulary keeps only ids the tokenizer can emit (num_words 9): line i is token i.
    assert.deepEqual(new TextDecoder().decode(meta.input.files![1].bytes).split('\n').slice(0, 10), ['', ...WORDS.slice(0, 8), '']);
    // An independent zip reader (Python's zipfile) finds the files appended to the model.
    const dir = mkdtempSync(join(tmpdir(), 'front-end-'));
    try {
      writeFileSync(join(dir, 'm.tflite'), bytes);
      const names = execFileSync('python3', ['-c', 'import sys,zipfile; print(",".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))', join(dir, 'm.tflite')], { encoding: 'utf8' }).trim();
      assert.equal(names, 'labels.txt,text_front_end.json,vocab.txt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const fromFile = textFrontEndOfTflite(bytes);
    assert.deepEqual(frontEndInputShape(fromFile), [6]);
    const app = featurizeWithFrontEnd(fromFile, TEXTS);
    const dataset = tokenizedDataset(await openDataset({ bytes: jsonl, filename: 't.jsonl' }, { seed: 1 }), tokenizer, padding);
    for await (const b of dataset.batches('train', 3)) {
      assert.deepEqual(Buffer.from(featurizeWithFrontEnd(fromFile, b.texts!).buffer), Buffer.from(b.x!.buffer), 'bit-equal token ids');
    }
    assert.ok(app.some((v) => v === 1), 'OOV ids appear (num_words cut-off and unknown words)');

    const tflite = await loadTfliteModel(bytes);
    try {
      const got = tflite.predict(app, [TEXTS.length, 6]);
      const want = (model.predict(tf.tensor2d(app, [TEXTS.length, 6])) as tf.Tensor).dataSync();
      for (let i = 0; i < TEXTS.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `text ${i}: ${got[i]} vs ${want[i]}`);
    } finally {
      tflite.dispose();
    }
    model.dispose();
  });

  it("a ProjectionNet: the file's featuriser parameters featurise bit-equal to the training path", async () => {
    const featurizer: TextFeaturizerConfig = { maxFeatures: 24, wordNgrams: [1, 2], charNgrams: [3], idSpace: 1 << 20, maxChars: 200 };
    const frontEnd: TextFrontEnd = { kind: 'ngram-lsh', featurizer, numHash: 8, numBits: 4 };
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 24] }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })] });
    const { bytes } = await exportTflite(model, { quantization: 'float32', metadata: META(frontEnd) });
    const fromFile = textFrontEndOfTflite(bytes);
    assert.deepEqual(fromFile, frontEnd);
    assert.deepEqual(frontEndInputShape(fromFile), [2, 24]);
    const dataset = featurizedDataset(await openDataset({ bytes: jsonl, filename: 't.jsonl' }, { seed: 1 }), featurizer);
    for await (const b of dataset.batches('train', 4)) {
      assert.deepEqual(Buffer.from(featurizeWithFrontEnd(fromFile, b.texts!).buffer), Buffer.from(b.x!.buffer), 'bit-equal n-gram ids and weights');
    }
    model.dispose();
  });
});
