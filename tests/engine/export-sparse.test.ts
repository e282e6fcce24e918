// Sparse weights (issue #14 item 4): a pruned model's conv/dense weights stored in TFLite's sparse
// tensor format (SparsityParameters: DENSE…, SPARSE_CSR) behind DENSIFY ops, only when the file
// gets smaller. TFLite's interpreter (wasm) must give exactly the dense file's outputs; Arm NN
// 20.08 must still refuse DENSIFY (why targets checked there keep dense files — if this test
// starts failing because Arm NN accepts it, the targets can take sparse files too).
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { densify, encodeLastDimCsr } from '../../services/engine/export/sparsity.ts';
import { readTfliteModel } from '../../services/engine/export/tflite-reader.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { getTarget } from '../../services/targets/index.ts';

const armNnSkip = armNnUnavailableReason() ?? false;
const SAMPLE = [12, 12, 3];
const n = 6;
const shape = [n, ...SAMPLE];

function uniform(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

/** conv → depthwise → dense(256) → dense(10); kernels pruned to `sparsity` (smallest magnitudes zeroed). */
function prunedModel(sparsity: number): tf.LayersModel {
  const k = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: SAMPLE, filters: 16, kernelSize: 3, activation: 'relu', ...k(1) }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, activation: 'relu', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 256, activation: 'relu', ...k(3) }),
    tf.layers.dense({ units: 10, activation: 'softmax', ...k(4) }),
  ] });
  if (sparsity > 0) {
    for (const layer of model.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      const kernel = weights[0];
      const sorted = Float32Array.from(kernel.abs().dataSync()).sort();
      const threshold = sorted[Math.floor(sparsity * sorted.length)];
      // A pruning mask multiplies: negative weights become −0.0, as in real pruned models.
      layer.setWeights([tf.mul(kernel, tf.cast(tf.greaterEqual(tf.abs(kernel), threshold), 'float32')), ...weights.slice(1)]);
    }
  }
  return model;
}

const x = uniform(n * 432, 5);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

before(async () => {
  await initEngine();
});

describe('sparse weight encoding', () => {
  it('round-trips through the CSR encoding and densify, ±0 as zero', () => {
    const values = new Float32Array([0, 1.5, -0, 0, 0, -2, 3, 0, 0, 0, 0, 4]);
    const bytes = new Uint8Array(values.buffer);
    const encoded = encodeLastDimCsr(bytes, [3, 4], 4, true);
    assert.deepEqual(encoded.sparsity.dimMetadata, [{ format: 'DENSE', denseSize: 3 }, { format: 'SPARSE_CSR', segments: [0, 1, 3, 4], indices: [1, 1, 2, 3] }]);
    assert.deepEqual([...new Float32Array(encoded.data.slice().buffer)], [1.5, -2, 3, 4]);
    const back = new Float32Array(densify(encoded.sparsity, [3, 4], encoded.data, 4).buffer);
    assert.deepEqual([...back], [...values].map((v) => v + 0)); // −0 comes back as +0
  });

  for (const [mode, sparsity] of [['float32', 0.75], ['int8', 0.9]] as const) {
    it(`${mode}: a ${sparsity * 100}%-pruned model gets a smaller file that TFLite runs with the dense file's outputs`, async () => {
      const model = prunedModel(sparsity);
      const calibration = [uniform(64 * 432, 9)];
      const dense = await exportTflite(model, { quantization: mode, representativeData: calibration });
      const sparse = await exportTflite(model, { quantization: mode, representativeData: calibration, sparseWeights: true });
      assert.deepEqual(dense.sparseTensors, []);
      assert.ok(sparse.sparseTensors.some((t) => t.includes('dense')), `sparse tensors: ${sparse.sparseTensors}`);
      const spec = readTfliteModel(sparse.bytes);
      assert.ok(spec.operators.filter((op) => op.op === 'DENSIFY').length === sparse.sparseTensors.length);
      const stored = spec.tensors.filter((t) => t.sparsity);
      assert.equal(stored.length, sparse.sparseTensors.length);
      for (const t of stored) assert.deepEqual(t.sparsity!.dimMetadata.map((d) => d.format), [...t.shape.slice(0, -1).map(() => 'DENSE'), 'SPARSE_CSR']);
      // Raw and gzip sizes both drop (the run reports both as bytes / downloadBytes).
      assert.ok(sparse.bytes.length < dense.bytes.length * (mode === 'float32' ? 0.5 : 0.5), `${dense.bytes.length} → ${sparse.bytes.length}`);
      console.log(`${mode}: bytes ${dense.bytes.length} → ${sparse.bytes.length}, gzip ${gzipSync(dense.bytes).length} → ${gzipSync(sparse.bytes).length}`);
      // float32: both shrink; int8: the raw file shrinks by far more than the download may grow.
      const rawSaved = dense.bytes.length - sparse.bytes.length;
      const gzipGrown = gzipSync(sparse.bytes).length - gzipSync(dense.bytes).length;
      if (mode === 'float32') assert.ok(gzipGrown < 0, 'the sparse float32 file downloads larger');
      assert.ok(rawSaved > 4 * Math.max(0, gzipGrown), `raw −${rawSaved} B, gzip +${gzipGrown} B`);
      const denseRuntime = await loadTfliteModel(dense.bytes);
      const want = denseRuntime.predict(x, shape);
      denseRuntime.dispose();
      const sparseRuntime = await loadTfliteModel(sparse.bytes);
      const got = sparseRuntime.predict(x, shape);
      sparseRuntime.dispose();
      assert.ok(maxAbsDiff(got, want) <= 1e-6, `sparse and dense files differ in TFLite by ${maxAbsDiff(got, want)}`);
      // Our importer reads the sparse file back (densified) into the same function.
      const imported = await importModel({ filename: 'sparse.tflite', bytes: sparse.bytes });
      const again = tf.tidy(() => (imported.model!.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
      assert.ok(maxAbsDiff(again, want) < (mode === 'float32' ? 1e-5 : 0.06), `imported sparse file differs by ${maxAbsDiff(again, want)}`);
      imported.model!.dispose();
      if (!armNnSkip) await assert.rejects(runArmNn(sparse.bytes, x, shape), /Operator code .* is out of range/);
      model.dispose();
    });
  }

  it('keeps the dense int8 file when sparse would not be smaller (60% pruned: a uint16 index per stored int8 weight)', async () => {
    const model = prunedModel(0.6);
    const calibration = [uniform(64 * 432, 9)];
    const dense = await exportTflite(model, { quantization: 'int8', representativeData: calibration });
    const sparse = await exportTflite(model, { quantization: 'int8', representativeData: calibration, sparseWeights: true });
    assert.deepEqual(sparse.sparseTensors, []);
    assert.deepEqual(sparse.bytes, dense.bytes);
    model.dispose();
  });

  it('keeps the dense file when sparse would not be smaller (unpruned weights)', async () => {
    const model = prunedModel(0);
    const dense = await exportTflite(model, { quantization: 'int8', representativeData: [uniform(64 * 432, 9)] });
    const sparse = await exportTflite(model, { quantization: 'int8', representativeData: [uniform(64 * 432, 9)], sparseWeights: true });
    assert.deepEqual(sparse.sparseTensors, []);
    assert.equal(sparse.bytes.length, dense.bytes.length);
    assert.ok(!readTfliteModel(sparse.bytes).operators.some((op) => op.op === 'DENSIFY'));
    model.dispose();
  });

  it('raw and gzip sizes of a pruned Dense(1024→256→200), dense vs sparse (the table in services/engine/export/README.md)', async () => {
    const rows: string[] = [];
    for (const sparsity of [0.5, 0.75, 0.9, 0.95]) {
      const model = tf.sequential({ layers: [
        tf.layers.dense({ inputShape: [1024], units: 256, kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
        tf.layers.dense({ units: 200, kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) })] });
      for (const layer of model.layers) {
        const [kernel, bias] = layer.getWeights();
        const threshold = Float32Array.from(kernel.abs().dataSync()).sort()[Math.floor(sparsity * kernel.size)];
        layer.setWeights([tf.mul(kernel, tf.cast(tf.greaterEqual(tf.abs(kernel), threshold), 'float32')), bias]);
      }
      const cells: string[] = [];
      for (const mode of ['float32', 'int8'] as const) {
        const options = { quantization: mode, representativeData: [uniform(8 * 1024, 13)] };
        const dense = await exportTflite(model, options);
        const sparse = await exportTflite(model, { ...options, sparseWeights: true });
        assert.ok(sparse.bytes.length <= dense.bytes.length);
        if (sparsity >= 0.75) assert.ok(sparse.sparseTensors.length === 2, `${mode} at ${sparsity}: ${sparse.sparseTensors}`);
        const fmt = (v: number) => v.toLocaleString('en-US');
        cells.push(sparse.sparseTensors.length ? `${fmt(dense.bytes.length)} → ${fmt(sparse.bytes.length)}` : `${fmt(dense.bytes.length)} (dense kept)`);
        cells.push(`${fmt(gzipSync(dense.bytes, { level: 6 }).length)} → ${fmt(gzipSync(sparse.bytes, { level: 6 }).length)}`);
      }
      rows.push(`| ${sparsity * 100} % | ${cells.join(' | ')} |`);
      model.dispose();
    }
    console.log(['| pruned | float32 raw | float32 gzip | int8 raw | int8 gzip |', '|---|---|---|---|---|', ...rows].join('\n'));
  });

  it('is offered where the target runtime runs DENSIFY: TFLite CPU targets, not TFLite Micro or Edge TPU', () => {
    assert.equal(getTarget('cpu-int8').sparseWeights, true);
    assert.equal(getTarget('cpu-fp32').sparseWeights, true);
    assert.equal(getTarget('mcu-int8').sparseWeights, false);
    assert.equal(getTarget('edgetpu-int8').sparseWeights, false);
    assert.ok(getTarget('cpu-int8').ops.includes('DENSIFY'));
  });
});
