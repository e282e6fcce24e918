// ProjectionNet with the hashing in the front end (projection plugin `hashing: 'front-end'`): the
// same dense head behind an identity LshProjection layer that takes the T·d bits. Its file has no
// LSH_PROJECTION/CAST, so Arm NN 20.08 runs it, and on the same texts it gives what the
// LSH_PROJECTION file gives in TFLite (the front end's bits are TFLite's kernel, bit for bit).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { DEFAULT_TEXT_FEATURIZER, featurizeTexts, featurizeWithFrontEnd, frontEndFiles, frontEndFromFiles, frontEndInputShape, textProjectionOfModel, type TextFeaturizerConfig, type TextFrontEnd } from '../../services/engine/text/index.ts';
import { lshProjectionLayerClass } from '@condense/plugin-sdk';

const featurizer: TextFeaturizerConfig = { ...DEFAULT_TEXT_FEATURIZER, maxFeatures: 32, charNgrams: [3] };
const T = 16;
const D = 8;
const TEXTS = ['win money now!!!', 'meeting moved to 3pm, see agenda', 'cheap pills online', 'lunch tomorrow?', 'URGENT: your account', ''];

function projectionNet(inFrontEnd: boolean, head: tf.LayersModel): tf.LayersModel {
  const Lsh = lshProjectionLayerClass(tf as never);
  const input = tf.input({ shape: inFrontEnd ? [T * D] : [2, featurizer.maxFeatures] });
  let x = new Lsh({ numHash: T, numBits: D, inputMode: 'text', featurizer, ...(inFrontEnd ? { inFrontEnd } : {}), name: 'lsh_projection' }).apply(input) as tf.SymbolicTensor;
  for (const layer of head.layers) x = layer.apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

describe('ProjectionNet with the hashing in the front end', () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('exports to dense layers only, runs in Arm NN and matches the LSH_PROJECTION file', async () => {
    const head = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [T * D], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
    const inModel = projectionNet(false, head);
    const inFront = projectionNet(true, head);
    assert.deepEqual(textProjectionOfModel(inFront), { featurizer, numHash: T, numBits: D, inFrontEnd: true });

    const frontEnd: TextFrontEnd = { kind: 'ngram-lsh', featurizer, numHash: T, numBits: D, inFrontEnd: true };
    // The front end travels in the file's metadata and reads back the same.
    const shipped = frontEndFromFiles(Object.fromEntries(frontEndFiles(frontEnd).map((f) => [f.name, f.bytes])));
    assert.deepEqual(shipped, frontEnd);
    assert.deepEqual(frontEndInputShape(shipped), [T * D]);
    const bits = featurizeWithFrontEnd(shipped, TEXTS);
    assert.ok(bits.every((b) => b === 0 || b === 1) && bits.some((b) => b === 1));

    const dense = await exportTflite(inFront, { quantization: 'float32' });
    assert.deepEqual([...dense.ops].sort(), ['FULLY_CONNECTED', 'SOFTMAX']);
    const lsh = await exportTflite(inModel, { quantization: 'float32' });
    assert.ok(lsh.ops.includes('LSH_PROJECTION'));

    // TFLite: the LSH_PROJECTION file on [2, N] features vs the dense file on the front end's bits.
    const a = await loadTfliteModel(lsh.bytes);
    const b = await loadTfliteModel(dense.bytes);
    const viaKernel = a.predict(featurizeTexts(TEXTS, featurizer), [TEXTS.length, 2, featurizer.maxFeatures]);
    const viaFrontEnd = b.predict(bits, [TEXTS.length, T * D]);
    a.dispose();
    b.dispose();
    assert.deepEqual([...viaFrontEnd], [...viaKernel]);
    if (!armNnUnavailableReason()) {
      const arm = await runArmNn(dense.bytes, bits, [TEXTS.length, T * D]);
      arm.output.forEach((v, i) => assert.ok(Math.abs(v - viaKernel[i]) < 1e-5, `Arm NN ${v} vs ${viaKernel[i]}`));
      // The LSH_PROJECTION file itself is what Arm NN refuses.
      await assert.rejects(runArmNn(lsh.bytes, featurizeTexts(TEXTS.slice(0, 1), featurizer), [1, 2, featurizer.maxFeatures]), /not supported/);
    }
  });
});
