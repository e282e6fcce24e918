// Small text experiments behind the figures in docs/text.md (SpamAssassin, split seed 1, the split
// bench:text's runs use):
//   npx tsx bench/text-probes.ts projection '{"sizes":[{"numHash":64,"hiddenUnits":16}],"trainer":"ngrams"}'
//     one projection-plugin call (through the real plugin host) with that config; every candidate
//     exported dynamic-int8 and measured in TFLite on the test split.
//   npx tsx bench/text-probes.ts bits '[{"bits":512,"hidden":16,"centred":false},{"bits":2048,"hidden":4}]'
//     what limits a ProjectionNet: the plugin's default featuriser and the LSH bits (T·d = the
//     largest "bits" asked, prefixes for the others) computed once; per entry a dense head
//     (hidden units, 0 = linear; bits as 0/1 or centred ±1, the default) trained alone — no
//     trainer — with Adam 0.002, batch 32, 20 epochs; float test accuracy in tfjs.
//   npx tsx bench/text-probes.ts vocabulary
//     Tokenizer(num_words=5000, oov) fitted on the training split as bench:text's user does; the
//     embedding rows the vocabulary pruning keeps per coverage (the plugin's rowsForCoverage).
// Last line: one JSON object.
import { loadavg } from 'node:os';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { exportTflite } from '../services/engine/export/index.ts';
import { evaluateTextTflite } from '../services/engine/text/evaluate-tflite.ts';
import { featurizeTexts, fitKerasTokenizer, lshProjectBatch, textFeaturizerOfModel, tokenizedDataset } from '../services/engine/text/index.ts';
import { featurizerFromConfig } from '../plugins/projection/src/index.ts';
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
} else if (command === 'bits') {
  await initEngine('wasm');
  const heads = JSON.parse(json ?? '[]') as Array<{ bits: number; hidden: number; centred?: boolean }>;
  const featurizer = featurizerFromConfig({ maxFeatures: 512, wordNgrams: [1, 2], charNgrams: [4] });
  const width = Math.max(...heads.map((h) => h.bits));
  const data = spamAssassinDataset({ seed: 1 });
  const split = async (name: 'train' | 'test') => {
    const texts: string[] = [];
    const y: number[] = [];
    for await (const b of data.batches(name, 256)) {
      texts.push(...b.texts!);
      y.push(...b.y);
    }
    return { bits: lshProjectBatch(featurizeTexts(texts, featurizer), texts.length, 2 * featurizer.maxFeatures, { numHash: width / 8, numBits: 8, inputMode: 'text' }), y, n: texts.length };
  };
  const [train, test] = [await split('train'), await split('test')];
  const input = (d: typeof train, bits: number, centred: boolean) => tf.tidy(() => {
    const x = tf.slice(tf.tensor2d(d.bits, [d.n, width]), [0, 0], [d.n, bits]);
    return centred ? tf.sub(tf.mul(x, 2), 1) : x;
  });
  const rows = [];
  for (const h of heads) {
    const centred = h.centred ?? true;
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({ layers: h.hidden > 0
      ? [tf.layers.dense({ inputShape: [h.bits], units: h.hidden, activation: 'relu', kernelInitializer: init(1) }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(2) })]
      : [tf.layers.dense({ inputShape: [h.bits], units: 2, activation: 'softmax', kernelInitializer: init(2) })] });
    model.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy' });
    const [xTrain, xTest] = [input(train, h.bits, centred), input(test, h.bits, centred)];
    await model.fit(xTrain, tf.tensor1d(train.y, 'float32'), { epochs: 20, batchSize: 32, shuffle: true, verbose: 0 });
    const predicted = (model.predict(xTest) as tf.Tensor).argMax(-1).dataSync();
    const accuracy = test.y.filter((v, i) => predicted[i] === v).length / test.n;
    rows.push({ ...h, centred, test_acc: Number(accuracy.toFixed(4)), dense_weights: h.hidden > 0 ? h.bits * h.hidden + h.hidden * 2 : h.bits * 2 });
    tf.dispose([xTrain, xTest]);
    model.dispose();
  }
  console.table(rows);
  console.log(JSON.stringify({ heads: rows, load: load() }));
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
  console.error('usage: tsx bench/text-probes.ts projection <config json> | bits <heads json> | vocabulary');
  process.exit(2);
}
