// A text run end to end through the embedded runner with the REAL activities: a user's Keras-style
// text classifier (Embedding(mask_zero) → GlobalAveragePooling1D → Dense(1, sigmoid)) uploaded as a
// TF.js layers zip with its Keras tokenizer.json, a JSONL dataset of raw texts with string labels,
// int8 quantization; the stored .tflite, fed texts tokenised by the reference front end, scores
// exactly the accuracy the run reported.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { initEngine } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { featurizeWithFrontEnd, parseKerasTokenizer, textFrontEndOfTflite, tokenizedDataset, tokenizeTexts } from '../../services/engine/text/index.ts';
import type { RunServices } from '../../services/runs/run-services.ts';
import { openTestRunServices, runToEnd, type TestRunServices } from '../helpers/local-run.ts';
import { mails, padding, textModelZip, tokenizerJson } from '../helpers/text-fixtures.ts';

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
