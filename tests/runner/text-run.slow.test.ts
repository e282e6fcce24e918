// A text run end to end through the embedded runner with the REAL activities: a user's Keras-style
// text classifier (Embedding(mask_zero) → GlobalAveragePooling1D → Dense(1, sigmoid)) uploaded as a
// TF.js layers zip with its Keras tokenizer.json, a JSONL dataset of raw texts with string labels,
// int8 quantization; the stored .tflite, fed texts tokenised by the reference front end, scores
// exactly the accuracy the run reported.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTfjsLayers } from '../../services/engine/export/index.ts';
import { MaskedGlobalAveragePooling1D } from '../../services/engine/layers/masked-pooling.ts';
import { parseKerasTokenizer, tokenizedDataset } from '../../services/engine/text/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { writeZip } from '../helpers/fixtures-data.ts';

const WORDS = 200;
const STEPS = 16;

/** JSONL mails: "spam" texts draw 85% of their words from the upper half of the vocabulary. */
function mails(n: number): Uint8Array {
  let s = 11;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const spam = i % 2 === 1;
    const words = Array.from({ length: 3 + Math.floor(r() * 12) }, () => {
      const upper = r() < (spam ? 0.85 : 0.15);
      return `w${2 + Math.floor(r() * (WORDS / 2 - 2)) + (upper ? WORDS / 2 : 0)}`;
    });
    lines.push(JSON.stringify({ text: `${words.join(' ')}${r() < 0.3 ? ' unseenword!' : ''}`, label: spam ? 'spam' : 'ham' }));
  }
  return new TextEncoder().encode(lines.join('\n'));
}

// What Keras' tokenizer.to_json() writes (word_index as a JSON string), plus pad/truncate modes.
const tokenizerJson = JSON.stringify({
  class_name: 'Tokenizer',
  config: {
    num_words: null, filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', lower: true, split: ' ', char_level: false, oov_token: '<OOV>',
    word_index: JSON.stringify(Object.fromEntries([['<OOV>', 1], ...Array.from({ length: WORDS - 2 }, (_, k) => [`w${k + 2}`, k + 2])])),
  },
  padding: 'post',
});

let services: RunServices;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-text-run-'));
  const database = await createTestDatabase();
  services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
    database,
    sizes: { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 },
  });
});
after(async () => {
  await services.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a JSONL text dataset and a sigmoid Embedding model with its tokenizer run, quantize and score as reported', async () => {
  await initEngine('wasm');
  const data = mails(600);
  const tokenizer = parseKerasTokenizer(tokenizerJson);
  const padding = { length: STEPS, padding: 'post' as const };
  const train = tokenizedDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), tokenizer, padding);
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: WORDS, outputDim: 8, inputLength: STEPS, maskZero: true, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
      new MaskedGlobalAveragePooling1D({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  await fit(model, train, { epochs: 8, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } });
  const { modelJson, weights } = await exportTfjsLayers(model);
  model.dispose();
  const zip = writeZip({ 'model.json': JSON.stringify(modelJson), 'weights.bin': weights, 'tokenizer.json': tokenizerJson });

  const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'spam-model.zip', bytes: zip },
    data: { filename: 'mail.jsonl', bytes: data },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'quantization', config: { modes: ['int8'] } }],
    constraints: {},
  });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 50 });
  runner.run();
  let result;
  try {
    await runner.start(orgId, runId);
    result = await runner.waitFor(runId, 300_000);
  } finally {
    await runner.stop();
  }
  assert.equal(result.status, 'succeeded', result.message);
  const candidates = await withTenant(services.database.db, orgId, (trx) => trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).execute());
  const ok = candidates.filter((c) => c.status === 'succeeded');
  assert.ok(ok.length > 0, candidates.map((c) => `${c.key}: ${c.failure_message}`).join('; '));
  for (const c of ok) {
    assert.ok(c.accuracy! > 0.85, `${c.key} accuracy ${c.accuracy}`);
    const tflite = await services.blobs.read(c.tflite_sha256!);
    // Held-out texts through the reference front end, the downloaded file in the TFLite runtime.
    const heldOut = tokenizedDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), tokenizer, padding);
    const measured = await evaluateTflite(tflite, heldOut, 'test', { limit: 200 });
    assert.equal(measured.accuracy, c.accuracy, `${c.key}: the file scores what the run reported`);
  }
});
