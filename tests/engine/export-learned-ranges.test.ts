// Learned activation ranges (SDK ActivationRanges, what quantization-aware training carries) in
// the int8 exporter: the tensors they name get the learned parameters — the fused conv → batch
// norm → ReLU tensor by the ReLU's name, the logits before a separate SOFTMAX by their layer,
// the input — the rest stays calibrated; and the host's check of the field a plugin returns.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, readTfliteModel } from '../../services/engine/export/index.ts';
import { asymmetricParams } from '../../services/engine/export/quantize.ts';
import { checkExportHints, MAX_RANGES } from '../../services/plugins/export-hints.ts';

function model(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 1], name: 'pixels' });
  let x = tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'act' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 4, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function samples(): Float32Array[] {
  return [tf.tidy(() => tf.randomUniform([32, 6, 6, 1], 0, 1, 'float32', 5).dataSync() as Float32Array)];
}

const learned = {
  version: 1 as const,
  input: { min: 0, max: 2 },
  outputs: { act: { min: 0, max: 3 } },
  preActivations: { head: { min: -5, max: 5 } },
};

describe('learned activation ranges in the int8 export', () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('writes the learned parameters for the tensors they name and calibrates the others', async () => {
    const m = model();
    const withLearned = await exportTflite(m, { quantization: 'int8', representativeData: samples(), activationRanges: learned });
    const calibrated = await exportTflite(m, { quantization: 'int8', representativeData: samples() });
    assert.equal(withLearned.learnedRangeTensors, 3);
    assert.equal(calibrated.learnedRangeTensors, 0);
    const params = (bytes: Uint8Array, op: string, which: 'input' | 'output' = 'output') => {
      const spec = readTfliteModel(bytes);
      const o = spec.operators.find((x) => x.op === op)!;
      const t = spec.tensors[which === 'output' ? o.outputs[0]! : o.inputs[0]!]!;
      return { scale: t.quantization!.scale[0], zeroPoint: t.quantization!.zeroPoint[0] };
    };
    // conv → bn → relu is one CONV_2D with a fused ReLU; its output is the 'act' layer's.
    assert.deepEqual(params(withLearned.bytes, 'CONV_2D'), asymmetricParams(learned.outputs.act));
    assert.deepEqual(params(withLearned.bytes, 'CONV_2D', 'input'), asymmetricParams(learned.input));
    assert.deepEqual(params(withLearned.bytes, 'SOFTMAX', 'input'), asymmetricParams(learned.preActivations.head));
    // Not named: calibrated as before.
    const spec = readTfliteModel(withLearned.bytes);
    const hiddenOut = (s: ReturnType<typeof readTfliteModel>) => s.tensors[s.operators.filter((o) => o.op === 'FULLY_CONNECTED')[0]!.outputs[0]!]!.quantization!.scale[0];
    assert.equal(hiddenOut(spec), hiddenOut(readTfliteModel(calibrated.bytes)));
    assert.notDeepEqual(params(calibrated.bytes, 'CONV_2D'), params(withLearned.bytes, 'CONV_2D'));
    m.dispose();
  });

  it('float exports ignore them', async () => {
    const m = model();
    const result = await exportTflite(m, { quantization: 'float32', activationRanges: learned });
    assert.equal(result.learnedRangeTensors, 0);
    m.dispose();
  });
});

describe('exportHints as a plugin returns them (host check)', () => {
  it('accepts and copies valid hints', () => {
    assert.deepEqual(checkExportHints({ quantization: 'int8', qat: true, activationRanges: learned }), { quantization: 'int8', qat: true, activationRanges: learned });
    assert.deepEqual(checkExportHints({}), {});
  });

  it('refuses malformed ranges with a message naming the field', () => {
    const bad = (activationRanges: unknown) => checkExportHints({ quantization: 'int8', activationRanges });
    assert.match(String(bad({ ...learned, version: 2 })), /exportHints\.activationRanges\.version must be 1/);
    assert.match(String(bad({ version: 1 })), /activationRanges\.outputs must map layer names/);
    assert.match(String(bad({ version: 1, outputs: { a: { min: 0, max: Infinity } } })), /outputs\["a"\] must be \{ min, max \} with finite numbers/);
    assert.match(String(bad({ version: 1, outputs: { a: { min: 2, max: 1 } } })), /min \(2\) is above its max \(1\)/);
    assert.match(String(bad({ version: 1, outputs: {}, input: 'wide' })), /activationRanges\.input must be/);
    const many = Object.fromEntries(Array.from({ length: MAX_RANGES + 1 }, (_, i) => [`l${i}`, { min: 0, max: 1 }]));
    assert.match(String(bad({ version: 1, outputs: many })), /more than 4096 tensors/);
    assert.match(String(checkExportHints({ quantization: 'int4' })), /quantization must be one of/);
  });
});
