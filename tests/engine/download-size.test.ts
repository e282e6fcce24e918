// downloadBytes: gzip size of a file, the figure TF-MOT reports for pruned models. Zeros compress,
// so a pruned .tflite's download shrinks while its raw size stays the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { downloadBytes, gzipForDownload } from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';

test('gzip round-trips and a pruned model downloads smaller at the same raw size', async () => {
  await initEngine('wasm');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [256], units: 256, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
  const dense = (await exportTflite(model, { quantization: 'float32' })).bytes;
  const [kernel, bias] = model.getWeights();
  const values = kernel.dataSync().slice();
  for (let i = 0; i < values.length; i++) if (i % 10 !== 0) values[i] = 0; // 90% sparsity
  model.setWeights([tf.tensor(values, kernel.shape), bias]);
  const pruned = (await exportTflite(model, { quantization: 'float32' })).bytes;
  assert.equal(pruned.length, dense.length);
  assert.deepEqual(new Uint8Array(gunzipSync(gzipForDownload(pruned))), pruned);
  assert.ok(downloadBytes(dense) > 0.85 * dense.length, `dense ${downloadBytes(dense)} of ${dense.length}`);
  assert.ok(downloadBytes(pruned) < 0.3 * pruned.length, `pruned ${downloadBytes(pruned)} of ${pruned.length}`);
});
