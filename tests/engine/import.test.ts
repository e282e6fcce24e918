// Model import: Keras 2/3 .h5, Keras 3 .keras and TF.js layers/graph models give the same
// predictions as a reference tfjs model built independently with the same weights.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { initEngine } from '../../services/engine/backend/index.ts';
import { importModel, inspectModel, ModelImportError, type ImportedModel } from '../../services/engine/import/index.ts';
import {
  kerasFunctional, kerasInputLayer, kerasObject, kerasSequential, randomizeWeights, seededValues,
  writeKerasH5, writeKerasZip, type FixtureLayer, type KerasStyle, type LayerSpec,
} from '../helpers/fixtures-keras.ts';

before(async () => {
  await initEngine();
});

const init = (style: KerasStyle, name: string) => kerasObject(style, name, name === 'GlorotUniform' ? { seed: null } : {});
const denseConfig = (style: KerasStyle, units: number, activation: string) => ({
  units, activation, use_bias: true,
  kernel_initializer: init(style, 'GlorotUniform'), bias_initializer: init(style, 'Zeros'),
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
});
const convConfig = (style: KerasStyle, filters: number, kernel: number[], padding: string, activation: string) => ({
  filters, kernel_size: kernel, strides: kernel.map(() => 1), padding, data_format: 'channels_last', dilation_rate: kernel.map(() => 1),
  ...(style === 'keras3' ? { groups: 1 } : {}), activation, use_bias: true,
  kernel_initializer: init(style, 'GlorotUniform'), bias_initializer: init(style, 'Zeros'),
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
});

function assertClose(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape);
  const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
  assert.ok(diff < tolerance, `max abs difference ${diff}`);
}

function predict(imported: ImportedModel, x: tf.Tensor): tf.Tensor {
  assert.ok(imported.model, 'expected a layers model');
  return imported.model.predict(x) as tf.Tensor;
}

// ---- Sequential MLP ----
function mlpReference(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8], name: 'dense' }),
      tf.layers.dropout({ rate: 0.2, name: 'dropout' }),
      tf.layers.dense({ units: 4, activation: 'softmax', name: 'dense_1' }),
    ],
  });
}
function mlpConfig(style: KerasStyle): unknown {
  const layers: LayerSpec[] = [
    kerasInputLayer(style, 'input_layer', [null, 8]),
    { className: 'Dense', name: 'dense', config: denseConfig(style, 16, 'relu'), inputShape: [null, 8] },
    { className: 'Dropout', name: 'dropout', config: { rate: 0.2, noise_shape: null, seed: null }, inputShape: [null, 16] },
    { className: 'Dense', name: 'dense_1', config: denseConfig(style, 4, 'softmax'), inputShape: [null, 16] },
  ];
  return kerasSequential(style, 'sequential', layers, [null, 8]);
}

test('Keras 2 .h5 Sequential MLP predicts like the reference model', async () => {
  const ref = mlpReference();
  const layers = randomizeWeights(ref, 11);
  const bytes = await writeKerasH5({ style: 'keras2', modelConfig: mlpConfig('keras2'), layers });
  const imported = await importModel({ filename: 'mlp.h5', bytes });
  assert.equal(imported.format, 'keras-h5');
  assert.equal(imported.parameterCount, 8 * 16 + 16 + 16 * 4 + 4);
  assert.deepEqual(imported.layerTypes, ['InputLayer', 'Dense', 'Dropout']);
  assert.deepEqual(imported.signature.inputs[0].shape, [null, 8]);
  assert.deepEqual(imported.signature.outputs[0].shape, [null, 4]);
  const x = tf.tensor(seededValues(5 * 8, 3), [5, 8]);
  assertClose(predict(imported, x), ref.predict(x) as tf.Tensor);
});

test('Keras 3 legacy .h5 and .keras Sequential MLP predict like the reference model', async () => {
  const ref = mlpReference();
  const layers = randomizeWeights(ref, 12);
  const x = tf.tensor(seededValues(5 * 8, 4), [5, 8]);
  const h5 = await importModel({ filename: 'mlp.h5', bytes: await writeKerasH5({ style: 'keras3', modelConfig: mlpConfig('keras3'), layers, chunkLayerNames: true }) });
  assertClose(predict(h5, x), ref.predict(x) as tf.Tensor);
  const zip = await importModel({ filename: 'mlp.keras', bytes: await writeKerasZip({ config: mlpConfig('keras3'), layers }) });
  assert.equal(zip.format, 'keras-zip');
  assertClose(predict(zip, x), ref.predict(x) as tf.Tensor);
});

test('Keras 3 Sequential without an InputLayer takes its shape from build_config', async () => {
  const ref = mlpReference();
  const layers = randomizeWeights(ref, 13);
  const config = mlpConfig('keras3') as { config: { layers: unknown[] } };
  config.config.layers.shift();
  const imported = await importModel({ filename: 'mlp.keras', bytes: await writeKerasZip({ config, layers }) });
  const x = tf.tensor(seededValues(3 * 8, 5), [3, 8]);
  assertClose(predict(imported, x), ref.predict(x) as tf.Tensor);
});

// ---- Functional CNN with branches ----
function cnnReference(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1], name: 'input_layer' });
  const scaled = tf.layers.rescaling({ scale: 0.5, offset: 0.1, name: 'rescaling' }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2d' }).apply(scaled) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'batch_normalization' }).apply(conv) as tf.SymbolicTensor;
  const relu = tf.layers.reLU({ maxValue: 6, name: 're_lu' }).apply(bn) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'depthwise_conv2d' }).apply(relu) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', name: 'separable_conv2d' }).apply(dw) as tf.SymbolicTensor;
  const side = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', name: 'conv2d_1' }).apply(relu) as tf.SymbolicTensor;
  const add = tf.layers.add({ name: 'add' }).apply([sep, side]) as tf.SymbolicTensor;
  const mp = tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d' }).apply(add) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(mp) as tf.SymbolicTensor;
  const ap = tf.layers.averagePooling2d({ poolSize: 2, name: 'average_pooling2d' }).apply(add) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(ap) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'concatenate' }).apply([gap, flat]) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.3, name: 'dropout' }).apply(cat) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 5, name: 'dense' }).apply(drop) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'activation' }).apply(dense) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
function cnnConfig(style: KerasStyle): unknown {
  const k3 = style === 'keras3';
  const pool = (size: number) => ({ pool_size: [size, size], padding: 'valid', strides: [size, size], data_format: 'channels_last' });
  const layers: LayerSpec[] = [
    kerasInputLayer(style, 'input_layer', [null, 8, 8, 1]),
    { className: 'Rescaling', name: 'rescaling', config: { scale: 0.5, offset: 0.1 }, inbound: ['input_layer'], inputShape: [null, 8, 8, 1] },
    { className: 'Conv2D', name: 'conv2d', config: convConfig(style, 4, [3, 3], 'same', 'relu'), inbound: ['rescaling'], inputShape: [null, 8, 8, 1] },
    {
      className: 'BatchNormalization', name: 'batch_normalization', inbound: ['conv2d'], inputShape: [null, 8, 8, 4],
      config: {
        axis: k3 ? -1 : [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true,
        beta_initializer: init(style, 'Zeros'), gamma_initializer: init(style, 'Ones'),
        moving_mean_initializer: init(style, 'Zeros'), moving_variance_initializer: init(style, 'Ones'),
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
        ...(k3 ? { synchronized: false } : {}),
      },
    },
    { className: 'ReLU', name: 're_lu', config: { max_value: 6, negative_slope: 0, threshold: 0 }, inbound: ['batch_normalization'] },
    {
      className: 'DepthwiseConv2D', name: 'depthwise_conv2d', inbound: ['re_lu'], inputShape: [null, 8, 8, 4],
      config: {
        kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], depth_multiplier: 1,
        activation: 'linear', use_bias: true, depthwise_initializer: init(style, 'GlorotUniform'), bias_initializer: init(style, 'Zeros'),
        depthwise_regularizer: null, bias_regularizer: null, activity_regularizer: null, depthwise_constraint: null, bias_constraint: null,
      },
    },
    {
      className: 'SeparableConv2D', name: 'separable_conv2d', inbound: ['depthwise_conv2d'], inputShape: [null, 8, 8, 4],
      config: {
        filters: 6, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], depth_multiplier: 1,
        activation: 'linear', use_bias: true, depthwise_initializer: init(style, 'GlorotUniform'), pointwise_initializer: init(style, 'GlorotUniform'),
        bias_initializer: init(style, 'Zeros'), depthwise_regularizer: null, pointwise_regularizer: null, bias_regularizer: null,
        activity_regularizer: null, depthwise_constraint: null, pointwise_constraint: null, bias_constraint: null,
      },
    },
    { className: 'Conv2D', name: 'conv2d_1', config: convConfig(style, 6, [3, 3], 'valid', 'linear'), inbound: ['re_lu'], inputShape: [null, 8, 8, 4] },
    { className: 'Add', name: 'add', config: {}, inbound: ['separable_conv2d', 'conv2d_1'], inboundShapes: [[null, 6, 6, 6], [null, 6, 6, 6]] },
    { className: 'MaxPooling2D', name: 'max_pooling2d', config: pool(2), inbound: ['add'] },
    { className: 'GlobalAveragePooling2D', name: 'global_average_pooling2d', config: { data_format: 'channels_last', ...(k3 ? { keepdims: false } : {}) }, inbound: ['max_pooling2d'] },
    { className: 'AveragePooling2D', name: 'average_pooling2d', config: pool(2), inbound: ['add'] },
    { className: 'Flatten', name: 'flatten', config: { data_format: 'channels_last' }, inbound: ['average_pooling2d'] },
    { className: 'Concatenate', name: 'concatenate', config: { axis: -1 }, inbound: ['global_average_pooling2d', 'flatten'] },
    { className: 'Dropout', name: 'dropout', config: { rate: 0.3, noise_shape: null, seed: null }, inbound: ['concatenate'] },
    { className: 'Dense', name: 'dense', config: denseConfig(style, 5, 'linear'), inbound: ['dropout'], inputShape: [null, 60] },
    { className: 'Activation', name: 'activation', config: { activation: 'softmax' }, inbound: ['dense'] },
  ];
  return kerasFunctional(style, 'functional', layers, ['input_layer'], ['activation']);
}

for (const [style, kind] of [['keras2', 'h5'], ['keras3', 'h5'], ['keras3', 'keras']] as const) {
  test(`Functional CNN (${style} .${kind}) predicts like the reference model`, async () => {
    const ref = cnnReference();
    const layers = randomizeWeights(ref, 21);
    const config = cnnConfig(style);
    const bytes = kind === 'h5' ? await writeKerasH5({ style, modelConfig: config, layers }) : await writeKerasZip({ config, layers });
    const imported = await importModel({ filename: `cnn.${kind}`, bytes });
    assert.equal(imported.parameterCount, ref.countParams());
    assert.ok(imported.layerTypes.includes('SeparableConv2D') && imported.layerTypes.includes('Concatenate'));
    const x = tf.tensor(seededValues(4 * 64, 9, 0, 2), [4, 8, 8, 1]);
    assertClose(predict(imported, x), ref.predict(x) as tf.Tensor);
  });
}

// ---- Text model: Embedding + Conv1D + 1D pooling + Reshape + Softmax ----
function textReference(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 4, inputShape: [12], name: 'embedding' }),
      tf.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'conv1d' }),
      tf.layers.maxPooling1d({ poolSize: 2, name: 'max_pooling1d' }),
      tf.layers.averagePooling1d({ poolSize: 5, name: 'average_pooling1d' }),
      tf.layers.reshape({ targetShape: [3, 2], name: 'reshape' }),
      tf.layers.globalAveragePooling1d({ name: 'global_average_pooling1d' }),
      tf.layers.dense({ units: 3, name: 'dense' }),
      tf.layers.softmax({ name: 'softmax' }),
    ],
  });
}
function textConfig(style: KerasStyle): unknown {
  const pool1d = (size: number) => ({ pool_size: [size], padding: 'valid', strides: [size], data_format: 'channels_last' });
  const layers: LayerSpec[] = [
    kerasInputLayer(style, 'input_layer', [null, 12]),
    {
      className: 'Embedding', name: 'embedding', inputShape: [null, 12],
      config: { input_dim: 20, output_dim: 4, embeddings_initializer: kerasObject(style, 'RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }), embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: false },
    },
    { className: 'Conv1D', name: 'conv1d', config: convConfig(style, 6, [3], 'valid', 'relu'), inputShape: [null, 12, 4] },
    { className: 'MaxPooling1D', name: 'max_pooling1d', config: pool1d(2) },
    { className: 'AveragePooling1D', name: 'average_pooling1d', config: pool1d(5) },
    { className: 'Reshape', name: 'reshape', config: { target_shape: [3, 2] } },
    { className: 'GlobalAveragePooling1D', name: 'global_average_pooling1d', config: { data_format: 'channels_last', ...(style === 'keras3' ? { keepdims: false } : {}) } },
    { className: 'Dense', name: 'dense', config: denseConfig(style, 3, 'linear'), inputShape: [null, 2] },
    { className: 'Softmax', name: 'softmax', config: { axis: -1 } },
  ];
  return kerasSequential(style, 'sequential', layers, [null, 12]);
}

test('Keras 3 .keras text model (Embedding, Conv1D, 1D pooling, Reshape, Softmax) predicts like the reference', async () => {
  const ref = textReference();
  const layers = randomizeWeights(ref, 31);
  const imported = await importModel({ filename: 'text.keras', bytes: await writeKerasZip({ config: textConfig('keras3'), layers }) });
  const ids = tf.tensor(Array.from(seededValues(6 * 12, 2, 0, 19.99), Math.floor), [6, 12]);
  assertClose(predict(imported, ids), ref.predict(ids) as tf.Tensor);
  const meta = await inspectModel({ filename: 'text.keras', bytes: await writeKerasZip({ config: textConfig('keras3'), layers }) });
  assert.deepEqual(meta, { format: imported.format, signature: imported.signature, parameterCount: imported.parameterCount, layerTypes: imported.layerTypes, notes: imported.notes });
});

// ---- TF.js layers format ----
async function tfjsArtifacts(model: tf.LayersModel): Promise<Map<string, Uint8Array>> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const weights = new Uint8Array(saved!.weightData as ArrayBuffer);
  // Two shards, as the converter writes large models.
  const half = Math.floor(weights.length / 8) * 4;
  const json = { format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: saved!.weightSpecs }] };
  return new Map([
    ['model/model.json', new TextEncoder().encode(JSON.stringify(json))],
    ['model/group1-shard1of2.bin', weights.slice(0, half)],
    ['model/group1-shard2of2.bin', weights.slice(half)],
  ]);
}

test('TF.js layers model.json + shards (files and zip) predicts like the source model', async () => {
  const ref = cnnReference();
  randomizeWeights(ref, 41);
  const files = await tfjsArtifacts(ref);
  const x = tf.tensor(seededValues(2 * 64, 5), [2, 8, 8, 1]);
  const fromFiles = await importModel({ files });
  assert.equal(fromFiles.format, 'tfjs-layers');
  assertClose(predict(fromFiles, x), ref.predict(x) as tf.Tensor);
  const zip = zipSync(Object.fromEntries(files));
  const fromZip = await importModel({ filename: 'model.zip', bytes: zip });
  assertClose(predict(fromZip, x), ref.predict(x) as tf.Tensor);

  const truncated = new Map(files);
  truncated.set('model/group1-shard2of2.bin', files.get('model/group1-shard2of2.bin')!.slice(0, 10));
  await assert.rejects(importModel({ files: truncated }), (e: Error) => e instanceof ModelImportError && /needs \d+/.test(e.message));
  const missing = new Map(files);
  missing.delete('model/group1-shard1of2.bin');
  await assert.rejects(importModel({ files: missing }), (e: Error) => e instanceof ModelImportError && /group1-shard1of2\.bin.*missing/.test(e.message));
});

// ---- TF.js graph model ----
function graphModelFiles(w: Float32Array, b: Float32Array): Map<string, Uint8Array> {
  const float = { type: 'DT_FLOAT' };
  const topology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } } } },
      { name: 'w', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }] } } } } },
      { name: 'b', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] } } } } },
      { name: 'matmul', op: 'MatMul', input: ['x', 'w'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'logits', op: 'BiasAdd', input: ['matmul', 'b'], attr: { T: float, data_format: { s: 'TkhXQw==' } } },
      { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: float } },
    ],
    versions: { producer: 1286 },
  };
  const weights = new Uint8Array(4 * (w.length + b.length));
  weights.set(new Uint8Array(w.buffer), 0);
  weights.set(new Uint8Array(b.buffer), 4 * w.length);
  const json = {
    format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: topology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [3, 2], dtype: 'float32' }, { name: 'b', shape: [2], dtype: 'float32' }] }],
  };
  return new Map([['model.json', new TextEncoder().encode(JSON.stringify(json))], ['group1-shard1of1.bin', weights]]);
}

test('TF.js graph model loads as an inference-only teacher', async () => {
  const w = seededValues(6, 1);
  const b = seededValues(2, 2);
  const imported = await importModel({ filename: 'graph.zip', bytes: zipSync(Object.fromEntries(graphModelFiles(w, b))) });
  assert.equal(imported.format, 'tfjs-graph');
  assert.equal(imported.model, undefined);
  assert.equal(imported.parameterCount, 8);
  assert.deepEqual(imported.layerTypes, ['Placeholder', 'Const', 'MatMul', 'BiasAdd', 'Softmax']);
  assert.deepEqual(imported.signature.inputs, [{ name: 'x', shape: [null, 3], dtype: 'float32' }]);
  const x = tf.tensor(seededValues(12, 3), [4, 3]);
  const expected = tf.softmax(tf.add(tf.matMul(x, tf.tensor(w, [3, 2])), tf.tensor(b)));
  assertClose(imported.graph!.predict(x) as tf.Tensor, expected);
});

// ---- Errors ----
async function expectImportError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof ModelImportError, `expected ModelImportError, got ${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'message is one line');
    return true;
  });
}

test('an unsupported layer gives one error naming it and listing supported layers', async () => {
  const config = mlpConfig('keras3') as { config: { layers: Record<string, unknown>[] } };
  config.config.layers.splice(2, 0, { module: 'keras.layers', class_name: 'SimpleRNN', config: { name: 'rnn', units: 4 }, registered_name: null });
  const bytes = await writeKerasZip({ config, layers: [] });
  await expectImportError(importModel({ filename: 'rnn.keras', bytes }), /unsupported layer SimpleRNN \("rnn"\); supported layers: InputLayer, Dense, .*LSTM, GRU, Bidirectional\./);
  await expectImportError(inspectModel({ filename: 'rnn.keras', bytes }), /unsupported layer SimpleRNN/);
});

test('broken Keras files fail with clear one-line errors', async () => {
  const ref = mlpReference();
  const layers = randomizeWeights(ref, 51);
  const good = await writeKerasH5({ style: 'keras2', modelConfig: mlpConfig('keras2'), layers });
  await expectImportError(importModel({ filename: 'mlp.h5', bytes: good.slice(0, Math.floor(good.length / 2)) }), /mlp\.h5/);
  await expectImportError(importModel({ filename: 'mlp.h5', bytes: new TextEncoder().encode('not hdf5 at all') }), /not an HDF5 file/);

  const wrongShape = layers.map((l) => (l.name === 'dense_1' ? { ...l, weights: [{ ...l.weights[0], shape: [4, 16] }, l.weights[1]] } : l));
  await expectImportError(importModel({ filename: 'mlp.h5', bytes: await writeKerasH5({ style: 'keras2', modelConfig: mlpConfig('keras2'), layers: wrongShape }) }), /layer "dense_1" weight .*file shape \[4, 16\], model expects \[16, 4\]/);

  const missing: FixtureLayer[] = layers.filter((l) => l.name !== 'dense');
  await expectImportError(importModel({ filename: 'mlp.keras', bytes: await writeKerasZip({ config: mlpConfig('keras3'), layers: missing }) }), /weights for layer "dense" are missing/);

  const keras = await writeKerasZip({ config: mlpConfig('keras3'), layers });
  await expectImportError(importModel({ filename: 'mlp.keras', bytes: keras.slice(0, keras.length - 30) }), /mlp\.keras.*(corrupt|truncated)/);
  await expectImportError(importModel({ filename: 'mlp.keras', bytes: keras }, { maxBytes: 1000 }), /limit/);
  await expectImportError(importModel({ filename: 'model.onnx', bytes: new Uint8Array([1, 2, 3]) }), /unsupported model file model\.onnx/);

  const subclassed = { module: 'my_models', class_name: 'MyModel', config: {}, registered_name: 'Custom>MyModel' };
  await expectImportError(importModel({ filename: 'sub.keras', bytes: await writeKerasZip({ config: subclassed, layers: [] }) }), /MyModel is not supported: only Sequential and Functional/);
});
