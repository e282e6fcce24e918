// A `.tflite` file written by TensorFlow's own converter, not by our exporter (issue #14 item 3):
// MediaPipe's hand-landmark model (`hand_landmark_lite.tflite` from the npm package
// `@mediapipe/hands`, Apache-2.0, a dev dependency). It is a float16 file — weights stored as
// FLOAT16 constants behind DEQUANTIZE ops, the converter's float16 layout — with four outputs,
// residual blocks, depthwise convolutions, padding and pooling. Imported, it must compute what
// the file computes in TFLite's own interpreter, on every output, and come back as a
// teacher-only model with a note saying why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel, inspectModel } from '../../services/engine/import/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';

const FILE = 'hand_landmark_lite.tflite';
const SHAPE = [1, 224, 224, 3];

function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

let bytes: Uint8Array;

before(async () => {
  await initEngine();
  const require = createRequire(import.meta.url);
  bytes = new Uint8Array(readFileSync(require.resolve(`@mediapipe/hands/${FILE}`)));
});

describe('a converter-written .tflite (MediaPipe hand landmarks, float16)', () => {
  it('imports as a teacher-only functional model with the file’s inputs and four outputs', async () => {
    const imported = await importModel({ filename: FILE, bytes });
    assert.equal(imported.format, 'tflite');
    assert.equal(imported.teacherOnly, true);
    assert.match(imported.notes!.join(' '), /stores its weights quantized \(FLOAT16\).*distillation teacher \(inference only\)/);
    const model = imported.model!;
    assert.deepEqual(model.inputs.map((i) => i.shape), [[null, 224, 224, 3]]);
    assert.deepEqual(model.outputs.map((o) => o.shape), [[null, 63], [null, 1], [null, 1], [null, 63]]);
    for (const cls of ['Conv2D', 'DepthwiseConv2D', 'Add', 'Dense']) assert.ok(imported.layerTypes.includes(cls), `${cls} missing from ${imported.layerTypes}`);
    model.dispose();
  });

  it('computes what TFLite’s interpreter computes on the same input', async () => {
    const imported = await importModel({ filename: FILE, bytes });
    const runtime = await loadTfliteModel(bytes);
    for (const seed of [3, 4]) {
      const x = uniform(SHAPE.reduce((a, b) => a * b, 1), seed);
      const want = runtime.predict(x, SHAPE); // the file's first output: 21 landmarks × (x, y, z)
      const got = tf.tidy(() => {
        const outputs = imported.model!.predict(tf.tensor(x, SHAPE)) as tf.Tensor[];
        return outputs[0].dataSync() as Float32Array;
      });
      assert.equal(got.length, 63);
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        maxAbs = Math.max(maxAbs, Math.abs(want[i]));
      }
      assert.ok(maxAbs > 10, `landmarks are pixel coordinates, got max |x| ${maxAbs}`);
      assert.ok(maxDiff < 1e-3 * maxAbs, `imported model differs from TFLite by ${maxDiff} (max |x| ${maxAbs})`);
    }
    runtime.dispose();
    imported.model!.dispose();
  });

  it('inspection reads its signature and parameters without building it', async () => {
    const meta = await inspectModel({ filename: FILE, bytes }, { preflight: true });
    assert.equal(meta.format, 'tflite');
    assert.equal(meta.teacherOnly, true);
    assert.deepEqual(meta.signature.inputs[0].shape, [null, 224, 224, 3]);
    assert.equal(meta.signature.outputs.length, 4);
    assert.ok(meta.parameterCount > 500_000, `parameters ${meta.parameterCount}`);
    // The pre-flight exports the rebuilt model in every mode: nothing blocks it.
    assert.deepEqual(meta.preflight!.blockers, []);
    assert.deepEqual(new Set(meta.preflight!.exports.map((e) => e.mode)), new Set(['float32', 'float16', 'dynamic-int8', 'int8']));
  });

  it('exports again: our float32 file computes in TFLite what the converter’s file computes', async () => {
    const imported = await importModel({ filename: FILE, bytes });
    const { bytes: again } = await exportTflite(imported.model!, { quantization: 'float32' });
    const original = await loadTfliteModel(bytes);
    const reexported = await loadTfliteModel(again);
    assert.equal(reexported.outputs.length, 4);
    const x = uniform(SHAPE.reduce((a, b) => a * b, 1), 5);
    const want = original.predict(x, SHAPE);
    const got = reexported.predict(x, SHAPE);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    assert.ok(maxDiff < 0.05, `re-exported file differs from the converter's by ${maxDiff}`);
    original.dispose();
    reexported.dispose();
    imported.model!.dispose();
  });
});
