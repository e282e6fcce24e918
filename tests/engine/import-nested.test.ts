// Issue #14 item 1: a Functional model used as a layer (a Keras Applications-style backbone under a
// new head, in a Functional or a Sequential outer model) imports from the files Keras 2.4 (`.h5`:
// the backbone's group lists `<inner layer>/<weight>:0`) and Keras 3.6 (`.keras`: the backbone's
// layers under `layers/<backbone>/layers/`) write, flattened into one graph that predicts like
// the reference model and exports to TFLite.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel, ModelImportError } from '../../services/engine/import/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { seededValues, writeKerasH5, writeKerasZip, type FixtureLayer, type LayerSpec } from '../helpers/fixtures-keras.ts';
import { functionalFor, initializerFor, inputLayerFor, sequentialFor, styleOf, type KerasRelease } from '../helpers/keras-versions.ts';

before(async () => {
  await initEngine();
});

type ST = tf.SymbolicTensor;

/** The reference: backbone(conv → batch norm → global average pooling) under a Dense head. */
function reference(outer: 'functional' | 'sequential'): tf.LayersModel {
  const innerIn = tf.input({ shape: [8, 8, 3], name: 'input_2' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(innerIn) as ST;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as ST;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as ST;
  const backbone = tf.model({ inputs: innerIn, outputs: x, name: 'backbone' });
  const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' });
  if (outer === 'sequential') return tf.sequential({ layers: [backbone as unknown as tf.layers.Layer, head], name: 'sequential' });
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  return tf.model({ inputs: input, outputs: head.apply((backbone as unknown as tf.layers.Layer).apply(input) as ST) as ST, name: 'classifier' });
}

const WEIGHT_NAMES: Record<string, string[]> = { conv: ['kernel', 'bias'], bn: ['gamma', 'beta', 'moving_mean', 'moving_variance'], head: ['kernel', 'bias'] };

/** Seeded weights for the reference's layers (inner ones included), by layer name. */
function seedWeights(model: tf.LayersModel): Map<string, FixtureLayer> {
  const byName = new Map<string, FixtureLayer>();
  const visit = (m: tf.LayersModel) => m.layers.forEach((layer, li) => {
    if (layer instanceof tf.LayersModel) return visit(layer);
    if (layer.weights.length === 0) return;
    const weights = layer.weights.map((w, wi) => {
      const shape = w.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      const name = WEIGHT_NAMES[layer.name][wi];
      return { name, shape, values: name === 'moving_variance' ? seededValues(count, 40 + li * 7 + wi, 0.5, 1.5) : seededValues(count, 40 + li * 7 + wi) };
    });
    layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    byName.set(layer.name, { name: layer.name, weights });
  });
  visit(model);
  return byName;
}

function innerLayers(release: KerasRelease): LayerSpec[] {
  const conv: LayerSpec = {
    className: 'Conv2D', name: 'conv', inbound: ['input_2'], inputShape: [null, 8, 8, 3], inboundShapes: [[null, 8, 8, 3]],
    config: {
      filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
      ...(release === '3.6.0' ? { groups: 1 } : {}), activation: 'relu', use_bias: true,
      kernel_initializer: initializerFor(release, 'glorot'), bias_initializer: initializerFor(release, 'zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  };
  const bn: LayerSpec = {
    className: 'BatchNormalization', name: 'bn', inbound: ['conv'], inboundShapes: [[null, 8, 8, 4]],
    config: {
      axis: release === '3.6.0' ? -1 : [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true,
      beta_initializer: initializerFor(release, 'zeros'), gamma_initializer: initializerFor(release, 'ones'),
      moving_mean_initializer: initializerFor(release, 'zeros'), moving_variance_initializer: initializerFor(release, 'ones'),
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
    },
  };
  const gap: LayerSpec = { className: 'GlobalAveragePooling2D', name: 'gap', inbound: ['bn'], inboundShapes: [[null, 8, 8, 4]], config: { data_format: 'channels_last', keepdims: false } };
  return [inputLayerFor(release, 'input_2', [null, 8, 8, 3]), conv, bn, gap];
}

const headSpec = (release: KerasRelease, inbound?: string[]): LayerSpec => ({
  className: 'Dense', name: 'head', inbound, inboundShapes: [[null, 4]],
  config: { units: 3, activation: 'softmax', use_bias: true, kernel_initializer: initializerFor(release, 'glorot'), bias_initializer: initializerFor(release, 'zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null },
});

/** The backbone as a layer entry of the outer model (its model config plus name and inbound nodes). */
function backboneEntry(release: KerasRelease, calledOn: string | null): Record<string, unknown> {
  const model = functionalFor(release, 'backbone', innerLayers(release), ['input_2'], ['gap']) as Record<string, unknown>;
  const entry: Record<string, unknown> = { ...model, name: 'backbone' };
  if (calledOn === null) return entry;
  entry.inbound_nodes = release === '3.6.0'
    ? [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 8, 8, 3], dtype: 'float32', keras_history: [calledOn, 0, 0] } }], kwargs: {} }]
    : [[[calledOn, 0, 0, {}]]];
  return entry;
}

function outerConfig(release: KerasRelease, outer: 'functional' | 'sequential'): unknown {
  if (outer === 'sequential') {
    const config = sequentialFor(release, 'sequential', [headSpec(release)], [null, 8, 8, 3]) as { config: { layers: unknown[] } };
    const head = config.config.layers[0] as { config: Record<string, unknown> };
    delete head.config.batch_input_shape; // the backbone brings the input
    config.config.layers = [backboneEntry(release, null), head];
    return config;
  }
  const config = functionalFor(release, 'classifier', [inputLayerFor(release, 'image', [null, 8, 8, 3]), headSpec(release, ['backbone'])], ['image'], ['head']) as { config: { layers: unknown[] } };
  const [image, head] = config.config.layers;
  config.config.layers = [image, backboneEntry(release, 'image'), head];
  return config;
}

async function kerasFile(release: KerasRelease, outer: 'functional' | 'sequential', weights: Map<string, FixtureLayer>) {
  const inner = ['conv', 'bn'].map((n) => weights.get(n)!);
  if (release === '3.6.0') {
    const layers: FixtureLayer[] = [{ name: 'backbone', weights: [], layers: inner }, weights.get('head')!];
    return { filename: `${outer}.keras`, bytes: await writeKerasZip({ config: outerConfig(release, outer), layers, kerasVersion: release }) };
  }
  // Keras 2: the backbone's group lists its layers' weights as `<inner layer>/<weight>:0`.
  const backbone: FixtureLayer = { name: 'backbone', weights: inner.flatMap((l) => l.weights.map((w) => ({ ...w, path: `${l.name}/${w.name}:0` }))) };
  const layers: FixtureLayer[] = [...(outer === 'functional' ? [{ name: 'image', weights: [] }] : []), backbone, weights.get('head')!];
  return { filename: `${outer}.h5`, bytes: await writeKerasH5({ style: styleOf(release), modelConfig: outerConfig(release, outer), layers, kerasVersion: release }) };
}

for (const release of ['2.4.0', '3.6.0'] as KerasRelease[]) {
  for (const outer of ['functional', 'sequential'] as const) {
    test(`Keras ${release}: a nested functional backbone in a ${outer} model imports flattened, predicts like the reference and exports`, async () => {
      const ref = reference(outer);
      const weights = seedWeights(ref);
      const imported = await importModel(await kerasFile(release, outer, weights));
      const model = imported.model!;
      assert.ok(model.layers.every((l) => !(l instanceof tf.LayersModel)), 'no nested model left');
      assert.deepEqual(model.layers.map((l) => l.name).filter((n) => n !== 'image' && n !== 'input_2'), ['conv', 'bn', 'gap', 'head']);
      assert.ok((imported.notes ?? []).some((n) => /nested model "backbone" \(Functional\) flattened/.test(n)), JSON.stringify(imported.notes));
      const x = tf.tensor(seededValues(4 * 8 * 8 * 3, 9, 0, 1), [4, 8, 8, 3]);
      const expected = (ref.predict(x) as tf.Tensor).dataSync();
      const got = (model.predict(x) as tf.Tensor).dataSync();
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-5, `output ${i}: ${got[i]} vs ${expected[i]}`);
      const { bytes } = await exportTflite(model, { quantization: 'float32' });
      const runtime = await loadTfliteModel(bytes);
      const out = runtime.predict(x.dataSync() as Float32Array, [4, 8, 8, 3]);
      runtime.dispose();
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-4, `tflite output ${i}`);
    });
  }
}

test('a nested model called twice is refused with one clear error', async () => {
  const config = outerConfig('2.4.0', 'functional') as { config: { layers: Record<string, unknown>[] } };
  const backbone = config.config.layers[1];
  backbone.inbound_nodes = [[['image', 0, 0, {}]], [['image', 0, 0, {}]]];
  const weights = seedWeights(reference('functional'));
  const bytes = await writeKerasH5({ style: 'keras2', modelConfig: config, layers: [{ name: 'head', weights: weights.get('head')!.weights }], kerasVersion: '2.4.0' });
  await assert.rejects(importModel({ filename: 'shared.h5', bytes }), (e: Error) => e instanceof ModelImportError && /nested model "backbone" is called 2 times/.test(e.message));
});

