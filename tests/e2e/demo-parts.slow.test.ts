// The demo's own pieces that the end-to-end run does not check in detail: the NPZ it uploads
// reads back through the engine's reader with the same digits and splits, and the report draws
// one point per succeeded candidate with the published one highlighted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mnistNpz } from '../../services/demo/mnist-upload.ts';
import { encodeNpy } from '../../services/demo/npz.ts';
import { accuracySizeChart, renderReport } from '../../services/demo/report.ts';
import type { CandidateView } from '../../services/demo/flow.ts';
import { openDataset } from '../../services/engine/data/index.ts';

test('the NPZ reads back with explicit train/test splits, pixels in [0, 1] and every class', async () => {
  const npz = await mnistNpz({ samples: 500, testFraction: 0.2, seed: 5 });
  assert.equal(npz.train + npz.test, 500);
  const ds = await openDataset({ bytes: npz.bytes, filename: npz.filename }, { seed: 1 });
  try {
    assert.equal(ds.info.format, 'npz');
    assert.deepEqual(ds.info.inputShape, [28, 28, 1]);
    assert.equal(ds.info.numClasses, 10);
    assert.equal(ds.info.splits.test, 100);
    assert.equal(ds.info.splits.train + ds.info.splits.validation, 400);
    let max = 0;
    for await (const batch of ds.batches('test', 100)) for (const v of batch.x!) max = Math.max(max, v);
    assert.ok(max > 0.9 && max <= 1, `max pixel ${max}`);
  } finally {
    await ds.close();
  }
  // Same seed, same bytes: the upload is reproducible.
  assert.deepEqual((await mnistNpz({ samples: 500, testFraction: 0.2, seed: 5 })).bytes, npz.bytes);
});

test('npy headers are padded to 64 bytes and reject a shape that does not match the data', () => {
  const bytes = encodeNpy({ descr: '<i4', shape: [3], data: Int32Array.from([1, 2, 3]) });
  const headerLength = new DataView(bytes.buffer).getUint16(8, true);
  assert.equal((10 + headerLength) % 64, 0);
  assert.equal(bytes.length, 10 + headerLength + 12);
  assert.throws(() => encodeNpy({ descr: '<i4', shape: [4], data: Int32Array.from([1, 2, 3]) }), /holds 4 values, data has 3/);
});

const candidate = (key: string, accuracy: number, bytes: number, extra: Partial<CandidateView> = {}): CandidateView => ({
  id: key, key, status: 'SUCCEEDED', quantization: 'int8', pareto: false, techniqueChain: [{ plugin: 'quantization' }],
  metrics: { accuracy, bytes, downloadBytes: Math.round(bytes * 0.8), parameterCount: 1000, estimatedLatencyMs: 1, hostLatencyMs: 1, compressionRatio: 2, speedup: 1 },
  targetFit: { target: key.split(':')[0]!, fits: true, failures: [] }, failure: null, ...extra,
});

test('the report plots succeeded candidates per target and marks the published one', () => {
  const candidates = [
    candidate('cpu-int8:quantize+int8', 0.95, 60_000, { pareto: true }),
    candidate('cpu-int8:prune-50+int8', 0.93, 18_000),
    candidate('gpu-fp16:quantize+float16', 0.95, 110_000),
    candidate('gpu-fp16:distill-small+float16', 0, 0, { status: 'FAILED', metrics: { accuracy: null, bytes: null, downloadBytes: null, parameterCount: null, estimatedLatencyMs: null, hostLatencyMs: null, compressionRatio: null, speedup: null }, failure: { stage: 'compress', message: 'out of <memory>' } }),
  ];
  const svg = accuracySizeChart(candidates, ['cpu-int8', 'gpu-fp16'], { label: 'teacher', accuracy: 0.96 });
  assert.equal(svg.match(/<circle[^>]*><title>/g)?.length, 3);
  assert.equal(svg.match(/stroke="#000" stroke-width="1.5"><title>/g)?.length, 1);
  assert.match(svg, /teacher 96\.00%/);
  const html = renderReport({
    runId: 'r1', targets: ['cpu-int8', 'gpu-fp16'], candidates, teacher: { accuracy: 0.96, bytes: 200_000, parameterCount: 50_000 },
    published: { key: 'cpu-int8:quantize+int8', bytes: 60_000, runtimeAccuracy: 0.95 }, generatedAt: new Date(0),
  });
  assert.equal(html.match(/<tr class="published">/g)?.length, 1);
  assert.match(html, /failed \(compress\): out of &lt;memory&gt;/);
  assert.doesNotMatch(html, /<script|(src|href)=["']https?:/);
});

test('the teacher\'s shifted digits: each image moves by its own offset of at most two pixels, zeros come in', async () => {
  const { shiftImages } = await import('../../services/demo/teacher-model.ts');
  // One 5×5 image with a single bright pixel in the middle, twice.
  const image = new Float32Array(50);
  image[12] = 1;
  image[37] = 1;
  const draws = [0, 0, 0.99, 0.5]; // image 0: dy = dx = −2; image 1: dy = +2, dx = 0
  let i = 0;
  const out = shiftImages(image, 2, 5, () => draws[i++]!);
  assert.equal(out[0], 1, 'moved up-left by two: the pixel sits at (0, 0)');
  assert.equal(out[25 + 4 * 5 + 2], 1, 'moved down by two: (4, 2)');
  assert.equal(out.reduce((a, v) => a + v, 0), 2, 'nothing else lights up');
  assert.equal(image[12], 1, 'the input is not modified');
  const edge = new Float32Array(25).fill(1);
  assert.equal(shiftImages(edge, 1, 5, () => 0).reduce((a, v) => a + v, 0), 9, 'a −2/−2 shift keeps 3×3 of the 5×5 ones; zeros come in');
});

test('the demo names the most accurate candidate at least 10× smaller than the teacher\'s float file', async () => {
  const { bestAtRatio } = await import('../../services/demo/table.ts');
  const c = (key: string, accuracy: number, ratio: number, status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED'): CandidateView => candidate(key, accuracy, Math.round(900_000 / ratio), { status, metrics: { accuracy, bytes: Math.round(900_000 / ratio), downloadBytes: null, parameterCount: null, estimatedLatencyMs: null, hostLatencyMs: null, compressionRatio: ratio, speedup: null } });
  const picked = bestAtRatio([c('cpu-int8:quantize+int8', 0.98, 3.9), c('cpu-int8:prune-60-distill+int8', 0.975, 20.8), c('mcu-int8:distill-sixteenth+int8', 0.9, 40), c('cpu-int8:broken', 0.99, 50, 'FAILED')], 10);
  assert.equal(picked?.key, 'cpu-int8:prune-60-distill+int8');
  assert.equal(bestAtRatio([c('cpu-int8:quantize+int8', 0.98, 3.9)], 10), undefined);
});

test('the teacher\'s learning rate warms up linearly over the first tenth of the steps, then follows a half cosine to 0', async () => {
  const { teacherLearningRate } = await import('../../services/demo/teacher-model.ts');
  const total = 665; // 5 epochs of 133 batches
  const rates = Array.from({ length: total }, (_, step) => teacherLearningRate(4e-3, step, total));
  assert.ok(Math.abs(rates[0]! - 4e-3 / 67) < 1e-12, `first step ${rates[0]}`);
  assert.ok(Math.abs(rates[66]! - 4e-3) < 1e-12, `end of the warm-up ${rates[66]}`);
  assert.ok(Math.abs(rates[67]! - 4e-3) < 1e-12, `first step of the cosine ${rates[67]}`);
  assert.ok(Math.abs(rates[67 + 299]! - 2e-3) < 2e-5, `half-way down ${rates[366]}`);
  assert.ok(rates.at(-1)! < 1e-7 && rates.at(-1)! > 0, `last step ${rates.at(-1)}`);
  for (let i = 1; i < total; i++) {
    if (i <= 66) assert.ok(rates[i]! > rates[i - 1]!, `warm-up rises at ${i}`);
    else if (i > 67) assert.ok(rates[i]! < rates[i - 1]!, `cosine falls at ${i}`);
  }
});

test('the teacher\'s sharded Adam step (each worker updates its share from the summed slots) is tf.train.adam\'s', async () => {
  const { adamShard } = await import('../../services/demo/teacher-model.ts');
  const { initEngine, tf } = await import('../../services/engine/backend/index.ts');
  const { mulberry32 } = await import('../../services/engine/random.ts');
  await initEngine();
  const random = mulberry32(11);
  const n = 37;
  const start = Float32Array.from({ length: n }, () => random() - 0.5);
  // Reference: tfjs's Adam on one variable, fed the sum of two workers' gradients.
  const variable = tf.variable(tf.tensor1d(start));
  const optimizer = tf.train.adam(1);
  // Sharded: two owners (rows [0, 20) and [20, 37)), each with its own moments.
  const weights = Float32Array.from(start);
  const shares = [[0, 20], [20, n]].map(([from, to]) => ({ from: from!, m: new Float32Array(to! - from!), v: new Float32Array(to! - from!) }));
  for (let step = 1; step <= 6; step++) {
    const slots = [0, 1].map(() => Float32Array.from({ length: n }, () => (random() - 0.5) * step));
    const rate = 0.01 * step;
    (optimizer as unknown as { learningRate: number }).learningRate = rate;
    const sum = tf.tensor1d(slots[0]!.map((g, i) => g + slots[1]![i]!));
    optimizer.applyGradients([{ name: variable.name, tensor: sum }]);
    sum.dispose();
    for (const share of shares) adamShard(weights, slots, share.m, share.v, share.from, rate, step);
  }
  const want = variable.dataSync() as Float32Array;
  let worst = 0;
  want.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - weights[i]!))));
  assert.ok(worst < 1e-5, `largest weight difference ${worst}`);
  assert.ok(Math.abs(want[3]! - start[3]!) > 0.01, 'the weights moved');
  variable.dispose();
  optimizer.dispose();
});

test('the teacher\'s loss is cross-entropy against label-smoothed targets', async () => {
  const { LABEL_SMOOTHING: e, teacherLoss } = await import('../../services/demo/teacher-model.ts');
  const { initEngine, tf } = await import('../../services/engine/backend/index.ts');
  await initEngine();
  const p = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
  const labels = [0, 1];
  // −Σ_k t_k log p_k with t = 1 − ε + ε/3 on the label and ε/3 elsewhere, averaged over the rows
  const want = p.reduce((sum, row, r) => sum - row.reduce((s, pk, k) => s + ((k === labels[r] ? 1 - e : 0) + e / 3) * Math.log(pk), 0), 0) / p.length;
  const loss = teacherLoss(tf.tensor2d(p), tf.tensor1d(labels, 'int32'));
  assert.ok(Math.abs(loss.dataSync()[0]! - want) < 1e-5, `loss ${loss.dataSync()[0]} vs ${want}`);
  assert.ok(e > 0 && e < 0.5);
  loss.dispose();
});

test('data-parallel teacher training: two threads learn what one does (their slices\' gradients are summed)', async () => {
  const { trainTeacher } = await import('../../services/demo/teacher.ts');
  const npz = await mnistNpz({ samples: 600, testFraction: 0.2, seed: 4 });
  const one = await trainTeacher(npz, { epochs: 1, seed: 4, workers: 1 });
  // The data may arrive after the threads started (the demo makes the NPZ while they boot).
  const two = await trainTeacher(new Promise((resolve) => setTimeout(() => resolve(npz), 300)), { epochs: 1, seed: 4, workers: 2 });
  assert.equal(two.parameterCount, one.parameterCount);
  assert.ok(one.testAccuracy > 0.5, `one thread: ${one.testAccuracy}`);
  // Same batches, same shifts, same updates up to float rounding: the same weights (a worker that
  // stepped on its own slice alone, or summed the wrong bank, would end far from them).
  const { importModel } = await import('../../services/engine/import/index.ts');
  const weights = async (zip: Uint8Array) => {
    const { model } = await importModel({ filename: 'teacher.zip', bytes: zip });
    const values = model!.getWeights().map((w) => w.dataSync() as Float32Array);
    model!.dispose();
    return values;
  };
  const [a, b] = [await weights(one.zip), await weights(two.zip)];
  let worst = 0;
  a.forEach((wa, i) => wa.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!) / (Math.abs(v) + 1e-2)))));
  assert.ok(worst < 0.02, `largest relative weight difference ${worst}`);
  assert.ok(Math.abs(two.testAccuracy - one.testAccuracy) <= 0.01, `one thread ${one.testAccuracy}, two ${two.testAccuracy}`);
  await assert.rejects(trainTeacher(Promise.reject(new Error('no digits')), { epochs: 1, seed: 4, workers: 2 }), /no digits/);
  // A stop request ends the threads and the call.
  const stop = new AbortController();
  const stopped = trainTeacher(npz, { epochs: 5, seed: 4, workers: 2, signal: stop.signal });
  setTimeout(() => stop.abort(), 200);
  await assert.rejects(stopped, /stopped/);
});

test('the run\'s CPU figure counts finished child processes (the plugin processes) as well as this one', { skip: process.platform !== 'linux' }, async () => {
  const { cpuSeconds } = await import('../../services/demo/cpu.ts');
  const { spawnSync } = await import('node:child_process');
  const before = cpuSeconds()!;
  // The child spins until it has used 0.4 s of CPU itself (however busy the machine is).
  spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 400_000);']);
  const after = cpuSeconds()!;
  assert.ok(after - before >= 0.35, `a child that used 0.4 s of CPU added ${(after - before).toFixed(2)} s`);
});
