// Small text experiments behind the figures in docs/text.md (SpamAssassin, split seed 1, the split
// bench:text's runs use):
//   npx tsx bench/text-probes.ts projection '{"sizes":[{"numHash":64,"hiddenUnits":16}],"trainer":"ngrams"}'
//     one projection-plugin call (through the real plugin host) with that config; every candidate
//     exported dynamic-int8 and measured in TFLite on the test split.
//   npx tsx bench/text-probes.ts vocabulary
//     Tokenizer(num_words=5000, oov) fitted on the training split as bench:text's user does; the
//     embedding rows the vocabulary pruning keeps per coverage (the plugin's rowsForCoverage).
// Last line: one JSON object.
import { loadavg } from 'node:os';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { exportTflite } from '../services/engine/export/index.ts';
import { evaluateTextTflite } from '../services/engine/text/evaluate-tflite.ts';
import { fitKerasTokenizer, textFeaturizerOfModel, tokenizedDataset } from '../services/engine/text/index.ts';
import { spamAssassinDataset, spamAssassinJsonl } from '../services/engine/text/spam-assassin.ts';
import { createPluginHost, deserializeModel } from '../services/plugins/index.ts';
import { rowsForCoverage } from '../plugins/pruning/src/vocabulary.ts';

const [command, json] = process.argv.slice(2);
const load = () => Number(loadavg()[0].toFixed(2));

if (command === 'projection') {
  await initEngine('wasm');
  const config = JSON.parse(json ?? '{}') as Record<string, unknown>;
  const data = spamAssassinDataset({ seed: 1 });
  const host = await createPluginHost({ backend: 'wasm' });
  const started = Date.now();
  const placeholder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 2 })] });
  const r = await host.invoke('projection', { model: placeholder, data, config });
  if (r.failures.length) throw new Error(r.failures[0].message);
  const trainSeconds = Math.round((Date.now() - started) / 1000);
  const rows = [];
  for (const c of r.candidates) {
    const model = await deserializeModel(c.model);
    const { bytes } = await exportTflite(model, { quantization: 'dynamic-int8' });
    const ev = await evaluateTextTflite(bytes, data, 'test', textFeaturizerOfModel(model)!);
    rows.push({ name: c.name, bytes: bytes.length, test_acc: Number(ev.accuracy.toFixed(4)), val_acc: c.metrics?.validationAccuracy, trainer_val_acc: c.metrics?.trainerValidationAccuracy });
    model.dispose();
  }
  console.table(rows);
  console.log(JSON.stringify({ config, train_seconds: trainSeconds, candidates: rows, load: load() }));
  process.exit(0);
} else if (command === 'vocabulary') {
  const raw = await openDataset({ bytes: spamAssassinJsonl({}), filename: 'spam-assassin.jsonl' }, { seed: 1 });
  const texts: string[] = [];
  for await (const b of raw.batches('train', 512)) texts.push(...b.texts!);
  const tokenizer = fitKerasTokenizer(texts, { numWords: 5000, oovToken: '<OOV>' });
  const counts = new Float64Array(5000);
  for await (const b of tokenizedDataset(raw, tokenizer, { length: 200, padding: 'post', truncating: 'post' }).batches('train', 512)) for (const v of b.x!) if (v > 0) counts[v]++;
  const total = counts.reduce((a, b) => a + b, 0);
  const coverages = Object.fromEntries([0.999, 0.99, 0.98, 0.97, 0.95].map((c) => [c, rowsForCoverage(counts, c).rows]));
  console.log(JSON.stringify({ rows_per_coverage: coverages, oov_share: Number((counts[1] / total).toFixed(4)), load: load() }));
} else {
  console.error('usage: tsx bench/text-probes.ts projection <config json> | vocabulary');
  process.exit(2);
}
