// bench/lib/cifar.ts' teacher trainer: data-parallel over two threads (cifar-teacher-worker.ts)
// walks the same batches, crops, flips and learning rates as one thread, so a model without batch
// norm (whose statistics would come from each thread's slice) ends at the same weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { encodeNpz } from '../../services/demo/npz.ts';
import { trainTeacher } from '../../bench/lib/cifar.ts';

function images(n: number, seed: number): { x: Uint8Array; y: Uint8Array } {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const y = Uint8Array.from({ length: n }, () => Math.floor(next() * 4));
  // Class-dependent colour so there is something to learn.
  const x = new Uint8Array(n * 8 * 8 * 3).map((_, i) => Math.floor(next() * 128 + (y[Math.floor(i / 192)]! * 40) * ((i % 3) === (y[Math.floor(i / 192)]! % 3) ? 1 : 0)));
  return { x, y };
}

function tinyNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('bench teacher training', () => {
  it('two data-parallel threads end where one thread does (no batch norm), epoch by epoch', async () => {
    await initEngine();
    const train = images(192, 7);
    const test = images(64, 9);
    const upload = {
      filename: 'tiny.npz',
      bytes: encodeNpz({
        x_train: { descr: '|u1', shape: [192, 8, 8, 3], data: train.x }, y_train: { descr: '|u1', shape: [192], data: train.y },
        x_test: { descr: '|u1', shape: [64, 8, 8, 3], data: test.x }, y_test: { descr: '|u1', shape: [64], data: test.y },
      }),
    };
    const data = await openDataset(upload, { seed: 1 });
    const quiet = () => undefined;
    try {
      const single = tinyNet();
      const parallel = tinyNet();
      const before = parallel.getWeights().map((w) => w.dataSync().slice());
      const epochs: number[] = [];
      const a = await trainTeacher(single, data, 2, true, quiet);
      const b = await trainTeacher(parallel, data, 2, true, quiet, { workers: 2, upload, onEpoch: async (p) => { epochs.push(p.epochsDone); } });
      assert.equal(a.epochsDone, 2);
      assert.equal(b.epochsDone, 2);
      assert.deepEqual(epochs, [1, 2], 'the main thread sees every epoch (checkpoints, test accuracy)');
      const after = parallel.getWeights().map((w) => w.dataSync());
      assert.ok(after.some((w, i) => w.some((v, j) => v !== before[i]![j])), 'the threads trained the model');
      single.getWeights().forEach((w, i) => {
        const x = w.dataSync();
        const y = after[i]!;
        const diff = Math.max(...Array.from(x, (v, j) => Math.abs(v - y[j]!)));
        assert.ok(diff < 1e-4, `weight ${i}: one thread and two threads differ by ${diff}`);
      });
    } finally {
      await data.close();
    }
  });
});
