// `.tflite` files written by TensorFlow's own converter, not by our exporter (issue #14 item 3):
// two of MediaPipe's published models, from npm packages that ship them (Apache-2.0, dev
// dependencies — no TensorFlow runs on this machine to convert more). Both are float16 files:
// weights stored as FLOAT16 constants behind DEQUANTIZE ops, the converter's float16 layout.
// - `hand_landmark_lite.tflite` (`@mediapipe/hands`): four outputs, residual blocks, depthwise
//   convolutions, pooling, 1.0 M parameters;
// - `face_detection_short_range.tflite` (`@mediapipe/face_detection`, BlazeFace): two outputs,
//   and residual branches widened by a PAD on the channel axis, which no Keras layer does (the
//   importer writes it as a frozen 1×1 convolution).
// Imported, each must compute what the file computes in TFLite's own interpreter, come back as
// a teacher-only model with a note saying why, pass the export pre-flight in every mode, and
// export again to a float32 file that TFLite runs with the same outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel, inspectModel } from '../../services/engine/import/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';

interface ConverterFile {
  module: string;
  input: number[];
  outputs: (number | null)[][];
  layers: string[];
  minParameters: number;
}

const FILES: ConverterFile[] = [
  {
    module: '@mediapipe/hands/hand_landmark_lite.tflite', input: [224, 224, 3],
    outputs: [[null, 63], [null, 1], [null, 1], [null, 63]], layers: ['Conv2D', 'DepthwiseConv2D', 'Add', 'Dense'], minParameters: 1_000_000,
  },
  {
    module: '@mediapipe/face_detection/face_detection_short_range.tflite', input: [128, 128, 3],
    outputs: [[null, 896, 16], [null, 896, 1]], layers: ['Conv2D', 'DepthwiseConv2D', 'Add', 'MaxPooling2D', 'Concatenate'], minParameters: 100_000,
  },
];

function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

function relativeDiff(got: ArrayLike<number>, want: ArrayLike<number>): { diff: number; range: number } {
  assert.equal(got.length, want.length);
  let diff = 0;
  let range = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    range = Math.max(range, Math.abs(want[i]));
  }
  return { diff, range };
}

const bytes = new Map<string, Uint8Array>();

before(async () => {
  await initEngine();
  const require = createRequire(import.meta.url);
  for (const f of FILES) bytes.set(f.module, new Uint8Array(readFileSync(require.resolve(f.module))));
});

for (const f of FILES) {
  const filename = f.module.split('/').pop()!;
  const shape = [1, ...f.input];
  const size = shape.reduce((a, b) => a * b, 1);

  describe(`a converter-written .tflite: ${f.module}`, () => {
    it('imports as a teacher-only functional model with the file’s input and outputs', async () => {
      const imported = await importModel({ filename, bytes: bytes.get(f.module)! });
      assert.equal(imported.format, 'tflite');
      assert.equal(imported.teacherOnly, true);
      assert.match(imported.notes!.join(' '), /stores its weights quantized \(FLOAT16\).*distillation teacher \(inference only\)/);
      const model = imported.model!;
      assert.deepEqual(model.inputs.map((i) => i.shape), [[null, ...f.input]]);
      assert.deepEqual(model.outputs.map((o) => o.shape), f.outputs);
      for (const cls of f.layers) assert.ok(imported.layerTypes.includes(cls), `${cls} missing from ${imported.layerTypes}`);
      model.dispose();
    });

    it('computes what TFLite’s interpreter computes on the same input', async () => {
      const imported = await importModel({ filename, bytes: bytes.get(f.module)! });
      const runtime = await loadTfliteModel(bytes.get(f.module)!);
      for (const seed of [3, 4]) {
        const x = uniform(size, seed);
        const want = runtime.predict(x, shape); // the file's first output
        const got = tf.tidy(() => (imported.model!.predict(tf.tensor(x, shape)) as tf.Tensor[])[0].dataSync() as Float32Array);
        const { diff, range } = relativeDiff(got, want);
        assert.ok(range > 1, `the first output is not all near zero (max |y| ${range})`);
        assert.ok(diff < 1e-3 * range, `imported model differs from TFLite by ${diff} (max |y| ${range})`);
      }
      runtime.dispose();
      imported.model!.dispose();
    });

    it('inspection reads its signature and parameters, and the pre-flight finds nothing blocking', async () => {
      const meta = await inspectModel({ filename, bytes: bytes.get(f.module)! }, { preflight: true });
      assert.equal(meta.format, 'tflite');
      assert.equal(meta.teacherOnly, true);
      assert.deepEqual(meta.signature.inputs[0].shape, [null, ...f.input]);
      assert.equal(meta.signature.outputs.length, f.outputs.length);
      assert.ok(meta.parameterCount > f.minParameters, `parameters ${meta.parameterCount}`);
      assert.deepEqual(meta.preflight!.blockers, []);
      assert.deepEqual(new Set(meta.preflight!.exports.map((e) => e.mode)), new Set(['float32', 'float16', 'dynamic-int8', 'int8']));
    });

    it('exports again: our float32 file computes in TFLite what the converter’s file computes', async () => {
      const imported = await importModel({ filename, bytes: bytes.get(f.module)! });
      const { bytes: again } = await exportTflite(imported.model!, { quantization: 'float32' });
      const original = await loadTfliteModel(bytes.get(f.module)!);
      const reexported = await loadTfliteModel(again);
      assert.equal(reexported.outputs.length, f.outputs.length);
      const x = uniform(size, 5);
      const { diff, range } = relativeDiff(reexported.predict(x, shape), original.predict(x, shape));
      assert.ok(diff < 1e-3 * range, `re-exported file differs from the converter's by ${diff} (max |y| ${range})`);
      original.dispose();
      reexported.dispose();
      imported.model!.dispose();
    });
  });
}
