// Configs as Keras 2.2.4, 2.4.0, 2.15.0 and 3.6.0 write them (regularizers, constraints,
// initializers, dtype policies, module/registered_name keys, BatchNormalization `axis: [3]`)
// import into models that predict like an independently built reference, keep what TF.js can
// train with, note what it drops, and export to TFLite (the MLPerf Tiny ResNet-8 failure modes).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel, ModelImportError, normalizeKerasModelConfig } from '../../services/engine/import/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { randomizeWeights, seededValues, writeKerasH5, writeKerasZip, type LayerSpec } from '../helpers/fixtures-keras.ts';
import {
  functionalFor, initializerFor, inputLayerFor, KERAS_RELEASES, kerasObjectFor, l2For, sequentialFor, styleOf, type KerasRelease,
} from '../helpers/keras-versions.ts';

before(async () => {
  await initEngine();
});

const hasOrthogonal = (r: KerasRelease) => r === '2.15.0' || r === '3.6.0';

function conv(release: KerasRelease, name: string, inbound: string[] | undefined, inputShape: (number | null)[]): LayerSpec {
  return {
    className: 'Conv2D', name, inbound, inputShape,
    config: {
      filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
      ...(release === '3.6.0' ? { groups: 1 } : {}), activation: 'linear', use_bias: true,
      kernel_initializer: initializerFor(release, 'he'), bias_initializer: initializerFor(release, 'zeros'),
      kernel_regularizer: l2For(release), bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  };
}

function bn(release: KerasRelease, name: string, inbound?: string[]): LayerSpec {
  return {
    className: 'BatchNormalization', name, inbound, inputShape: [null, 8, 8, 4],
    config: {
      axis: release === '2.2.4' || release === '3.6.0' ? -1 : [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true,
      beta_initializer: initializerFor(release, 'zeros'), gamma_initializer: initializerFor(release, 'ones'),
      moving_mean_initializer: initializerFor(release, 'zeros'), moving_variance_initializer: initializerFor(release, 'ones'),
      beta_regularizer: null, gamma_regularizer: release === '2.2.4' ? null : l2For(release, 1e-5), beta_constraint: null, gamma_constraint: null,
      ...(release === '3.6.0' ? { synchronized: false } : {}),
    },
  };
}

function dense(release: KerasRelease, name: string, inbound: string[] | undefined, inputs: number): LayerSpec {
  return {
    className: 'Dense', name, inbound, inputShape: [null, inputs],
    config: {
      units: 3, activation: 'softmax', use_bias: true,
      kernel_initializer: initializerFor(release, 'glorot'), bias_initializer: initializerFor(release, 'zeros'),
      kernel_regularizer: hasOrthogonal(release) ? kerasObjectFor(release, 'OrthogonalRegularizer', { factor: 0.01, mode: 'rows' }, 'keras.regularizers') : l2For(release),
      bias_regularizer: null,
      activity_regularizer: release === '2.2.4' ? null : kerasObjectFor(release, 'L1', { l1: 1e-5 }, 'keras.regularizers'),
      kernel_constraint: hasOrthogonal(release) ? kerasObjectFor(release, 'MaxNorm', { max_value: 3, axis: 0 }, 'keras.constraints') : null,
      bias_constraint: null,
    },
  };
}

const relu = (name: string, inbound?: string[]): LayerSpec => ({ className: 'Activation', name, inbound, config: { activation: 'relu' } });

// ---- Functional: a ResNet block (conv-BN-relu-conv-BN, residual Add) as in MLPerf Tiny's ResNet-8 ----
function residualReference(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d' }).apply(input) as tf.SymbolicTensor;
  const b1 = tf.layers.batchNormalization({ name: 'batch_normalization' }).apply(c1) as tf.SymbolicTensor;
  const a1 = tf.layers.activation({ activation: 'relu', name: 'activation' }).apply(b1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d_1' }).apply(a1) as tf.SymbolicTensor;
  const b2 = tf.layers.batchNormalization({ name: 'batch_normalization_1' }).apply(c2) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add' }).apply([a1, b2]) as tf.SymbolicTensor;
  const a2 = tf.layers.activation({ activation: 'relu', name: 'activation_1' }).apply(sum) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(a2) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense' }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function residualConfig(release: KerasRelease): unknown {
  const layers: LayerSpec[] = [
    inputLayerFor(release, 'input_1', [null, 8, 8, 3]),
    conv(release, 'conv2d', ['input_1'], [null, 8, 8, 3]),
    bn(release, 'batch_normalization', ['conv2d']),
    relu('activation', ['batch_normalization']),
    conv(release, 'conv2d_1', ['activation'], [null, 8, 8, 4]),
    bn(release, 'batch_normalization_1', ['conv2d_1']),
    { className: 'Add', name: 'add', config: {}, inbound: ['activation', 'batch_normalization_1'], inboundShapes: [[null, 8, 8, 4], [null, 8, 8, 4]] },
    relu('activation_1', ['add']),
    { className: 'GlobalAveragePooling2D', name: 'global_average_pooling2d', inbound: ['activation_1'], config: { data_format: 'channels_last', ...(release === '3.6.0' ? { keepdims: false } : {}) } },
    dense(release, 'dense', ['global_average_pooling2d'], 4),
  ];
  return functionalFor(release, 'model', layers, ['input_1'], ['dense']);
}

// ---- Sequential: conv-BN-relu-pool-flatten-dense ----
function sequentialReference(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d' }),
      tf.layers.batchNormalization({ name: 'batch_normalization' }),
      tf.layers.activation({ activation: 'relu', name: 'activation' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense' }),
    ],
  });
}

function sequentialConfig(release: KerasRelease): unknown {
  const layers: LayerSpec[] = [
    ...(release === '2.2.4' ? [] : [inputLayerFor(release, 'input_1', [null, 8, 8, 3])]),
    conv(release, 'conv2d', undefined, [null, 8, 8, 3]),
    bn(release, 'batch_normalization'),
    relu('activation'),
    { className: 'MaxPooling2D', name: 'max_pooling2d', config: { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } },
    { className: 'Flatten', name: 'flatten', config: { data_format: 'channels_last' } },
    dense(release, 'dense', undefined, 64),
  ];
  return sequentialFor(release, 'sequential', layers, [null, 8, 8, 3]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const release of KERAS_RELEASES) {
  for (const [kind, reference, config] of [['Functional residual Add', residualReference, residualConfig], ['Sequential', sequentialReference, sequentialConfig]] as const) {
    test(`Keras ${release} ${kind} .h5 imports, predicts like the reference, keeps regularizers and exports to TFLite`, async () => {
      const ref = reference();
      const layers = randomizeWeights(ref, 101);
      const bytes = await writeKerasH5({ style: styleOf(release), modelConfig: config(release), layers, kerasVersion: release });
      const imported = await importModel({ filename: `resnet-${release}.h5`, bytes });
      const model = imported.model!;
      const x = tf.tensor(seededValues(4 * 8 * 8 * 3, 5, 0, 1), [4, 8, 8, 3]);
      const expected = (ref.predict(x) as tf.Tensor).dataSync();
      assert.ok(maxAbsDiff((model.predict(x) as tf.Tensor).dataSync(), expected) < 1e-5);

      // L2 (or 2.2's L1L2) survives as TF.js's L1L2 for fine-tuning; so does the BN gamma regularizer.
      const convConfig = model.getLayer('conv2d').getConfig() as Record<string, any>;
      assert.equal(convConfig.kernelRegularizer?.className, 'L1L2');
      assert.ok(Math.abs(convConfig.kernelRegularizer.config.l2 - 1e-4) < 1e-9);
      assert.equal(convConfig.kernelRegularizer.config.l1, 0);
      const denseConfig = model.getLayer('dense').getConfig() as Record<string, any>;
      if (release !== '2.2.4') {
        assert.equal(denseConfig.activityRegularizer ?? null, null);
        assert.ok(imported.notes?.some((n) => /"dense": activity_regularizer L1 dropped \(TF.js layers cannot run/.test(n)), `notes: ${imported.notes}`);
      }
      if (hasOrthogonal(release)) {
        assert.equal(denseConfig.kernelConstraint?.className, 'MaxNorm');
        assert.equal(denseConfig.kernelRegularizer ?? null, null);
        assert.ok(imported.notes?.some((n) => /"dense": kernel_regularizer OrthogonalRegularizer dropped/.test(n)), `notes: ${imported.notes}`);
      } else if (release === '2.2.4') {
        assert.deepEqual(imported.notes, []);
      }
      // The regularizer losses are live: the model adds them to its losses.
      assert.ok(model.losses.length > 0 || (model.getLayer('conv2d') as any).kernelRegularizer, 'regularizer attached');

      const { bytes: tflite } = await exportTflite(model, { quantization: 'float32' });
      const runtime = await loadTfliteModel(tflite);
      const got = runtime.predict(x.dataSync() as Float32Array, [4, 8, 8, 3]);
      runtime.dispose();
      assert.ok(maxAbsDiff(got, expected) < 1e-4, `TFLite differs by ${maxAbsDiff(got, expected)}`);
      tf.dispose([x]);
      model.dispose();
    });
  }
}

test('Keras 3 .keras with the same residual model imports too', async () => {
  const ref = residualReference();
  const layers = randomizeWeights(ref, 102).filter((l) => l.weights.length > 0);
  const imported = await importModel({ filename: 'resnet.keras', bytes: await writeKerasZip({ config: residualConfig('3.6.0'), layers }) });
  const x = tf.tensor(seededValues(2 * 8 * 8 * 3, 6, 0, 1), [2, 8, 8, 3]);
  assert.ok(maxAbsDiff((imported.model!.predict(x) as tf.Tensor).dataSync(), (ref.predict(x) as tf.Tensor).dataSync()) < 1e-5);
});

test('axes: positive, negative and one-element lists normalise; several axes are refused with the layer named', () => {
  for (const axis of [3, -1, [3], [-1]]) {
    const config = sequentialConfig('2.4.0') as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    config.config.layers.find((l) => l.class_name === 'BatchNormalization')!.config.axis = axis;
    const normalized = normalizeKerasModelConfig(config);
    const layer = (normalized.topology.config.layers as { class_name: string; config: { axis: unknown } }[]).find((l) => l.class_name === 'BatchNormalization')!;
    assert.equal(layer.config.axis, Array.isArray(axis) ? axis[0] : axis);
  }
  const config = sequentialConfig('2.4.0') as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  config.config.layers.find((l) => l.class_name === 'BatchNormalization')!.config.axis = [1, 2, 3];
  assert.throws(() => normalizeKerasModelConfig(config), (e: Error) => e instanceof ModelImportError && /"batch_normalization" \(BatchNormalization\) uses axis=\[1,2,3\]/.test(e.message));
});

test('Lambda and custom layers get one error naming all of them', () => {
  const config = residualConfig('2.4.0') as { config: { layers: Record<string, unknown>[] } };
  config.config.layers.splice(3, 0,
    { class_name: 'Lambda', name: 'lambda', config: { name: 'lambda', function: ['4wEAAAAA', null, null], function_type: 'lambda' }, inbound_nodes: [[['activation', 0, 0, {}]]] },
    { class_name: 'MyBlock', name: 'my_block', config: { name: 'my_block' }, inbound_nodes: [[['lambda', 0, 0, {}]]] });
  assert.throws(() => normalizeKerasModelConfig(config), (e: Error) => e instanceof ModelImportError
    && /unsupported layers Lambda \("lambda"\), MyBlock \("my_block"\);/.test(e.message) && /Lambda layers hold Python code/.test(e.message) && !e.message.includes('\n'));
});

test('unknown initializers and constraints are dropped with a note; string shortcuts map', () => {
  const config = sequentialConfig('3.6.0') as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const convLayer = config.config.layers.find((l) => l.class_name === 'Conv2D')!;
  convLayer.config.kernel_initializer = { module: 'keras.initializers', class_name: 'STFTInitializer', config: {}, registered_name: null };
  convLayer.config.bias_initializer = 'zeros';
  convLayer.config.kernel_constraint = { module: 'my.pkg', class_name: 'CenterAround', config: {}, registered_name: 'my>CenterAround' };
  convLayer.config.bias_regularizer = 'l2';
  const normalized = normalizeKerasModelConfig(config);
  const c = (normalized.topology.config.layers as { class_name: string; config: Record<string, any> }[]).find((l) => l.class_name === 'Conv2D')!.config;
  assert.equal(c.kernel_initializer, undefined);
  assert.equal(c.kernel_constraint, undefined);
  assert.deepEqual(c.bias_initializer, { class_name: 'Zeros', config: {} });
  assert.deepEqual(c.bias_regularizer, { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } });
  const convNotes = normalized.notes.filter((n) => n.includes('"conv2d"'));
  assert.equal(convNotes.length, 2, convNotes.join(' | '));
  assert.match(convNotes.join(' '), /"conv2d": kernel_initializer STFTInitializer dropped/);
  assert.match(convNotes.join(' '), /"conv2d": kernel_constraint CenterAround dropped/);
});

// ---- The wider layer set as Keras 2.15 and Keras 3.6 write it ----
function widerReference(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  const on = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  let x = on(tf.layers.rescaling({ scale: 1 / 255, offset: 0, name: 'rescaling' }), input);
  x = on(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'zero_padding2d' }), x);
  x = on(tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv2d' }), x);
  x = on(tf.layers.leakyReLU({ alpha: 0.1, name: 'leaky_re_lu' }), x);
  let s = on(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
  s = on(tf.layers.reshape({ targetShape: [1, 1, 4], name: 'reshape' }), s);
  s = on(tf.layers.dense({ units: 2, activation: 'relu', name: 'dense' }), s);
  s = on(tf.layers.dense({ units: 4, activation: 'sigmoid', name: 'dense_1' }), s);
  x = on(tf.layers.multiply({ name: 'multiply' }), [x, s]);
  x = on(tf.layers.activation({ activation: 'hardSwish' as never, name: 'activation' }), x);
  x = on(tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]], name: 'cropping2d' }), x);
  x = on(tf.layers.upSampling2d({ size: [2, 2], name: 'up_sampling2d' }), x);
  x = on(tf.layers.prelu({ sharedAxes: [1, 2], name: 'p_re_lu' }), x);
  const g = on(tf.layers.globalMaxPooling2d({ name: 'global_max_pooling2d' }), x);
  const out = on(tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_2' }), g);
  return tf.model({ inputs: input, outputs: out });
}

function widerConfig(release: KerasRelease): unknown {
  const k3 = release === '3.6.0';
  const dense = (name: string, units: number, activation: string, inbound: string, inputs: number): LayerSpec => ({
    className: 'Dense', name, inbound: [inbound], inputShape: [null, inputs],
    config: { units, activation, use_bias: true, kernel_initializer: initializerFor(release, 'glorot'), bias_initializer: initializerFor(release, 'zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null },
  });
  const cl = { data_format: 'channels_last' };
  const layers: LayerSpec[] = [
    inputLayerFor(release, 'input_1', [null, 8, 8, 3]),
    { className: 'Rescaling', name: 'rescaling', inbound: ['input_1'], config: { scale: 0.00392156862745098, offset: 0.0 } },
    { className: 'ZeroPadding2D', name: 'zero_padding2d', inbound: ['rescaling'], config: { padding: [[1, 1], [1, 1]], ...cl } },
    { ...conv(release, 'conv2d', ['zero_padding2d'], [null, 10, 10, 3]), config: { ...conv(release, 'conv2d', undefined, []).config, padding: 'valid', kernel_regularizer: null } },
    { className: 'LeakyReLU', name: 'leaky_re_lu', inbound: ['conv2d'], config: k3 ? { negative_slope: 0.1 } : { alpha: 0.1 } },
    { className: 'GlobalAveragePooling2D', name: 'global_average_pooling2d', inbound: ['leaky_re_lu'], config: { ...cl, keepdims: false } },
    { className: 'Reshape', name: 'reshape', inbound: ['global_average_pooling2d'], config: { target_shape: [1, 1, 4] } },
    dense('dense', 2, 'relu', 'reshape', 4),
    dense('dense_1', 4, 'sigmoid', 'dense', 2),
    { className: 'Multiply', name: 'multiply', inbound: ['leaky_re_lu', 'dense_1'], config: {}, inboundShapes: [[null, 8, 8, 4], [null, 1, 1, 4]] },
    { className: 'Activation', name: 'activation', inbound: ['multiply'], config: { activation: k3 ? 'hard_silu' : 'hard_swish' } },
    { className: 'Cropping2D', name: 'cropping2d', inbound: ['activation'], config: { cropping: [[1, 0], [0, 1]], ...cl } },
    { className: 'UpSampling2D', name: 'up_sampling2d', inbound: ['cropping2d'], config: { size: [2, 2], ...cl, interpolation: 'nearest' } },
    {
      className: 'PReLU', name: 'p_re_lu', inbound: ['up_sampling2d'], inputShape: [null, 14, 14, 4],
      config: { alpha_initializer: initializerFor(release, 'zeros'), alpha_regularizer: null, alpha_constraint: null, shared_axes: [1, 2] },
    },
    { className: 'GlobalMaxPooling2D', name: 'global_max_pooling2d', inbound: ['p_re_lu'], config: { ...cl, keepdims: false } },
    dense('dense_2', 3, 'softmax', 'global_max_pooling2d', 4),
  ];
  return functionalFor(release, 'model', layers, ['input_1'], ['dense_2']);
}

for (const release of ['2.15.0', '3.6.0'] as const) {
  test(`Keras ${release}: ZeroPadding2D, LeakyReLU, SE block (Reshape, Dense, Multiply), hard-swish, Cropping2D, UpSampling2D, PReLU, GlobalMaxPooling2D import, predict like tfjs and export`, async () => {
    const ref = widerReference();
    const layers = randomizeWeights(ref, 103);
    const imported = await importModel({ filename: 'wide.h5', bytes: await writeKerasH5({ style: styleOf(release), modelConfig: widerConfig(release), layers, kerasVersion: release }) });
    const x = tf.tensor(seededValues(3 * 8 * 8 * 3, 7, 0, 255), [3, 8, 8, 3]);
    const expected = (ref.predict(x) as tf.Tensor).dataSync();
    assert.ok(maxAbsDiff((imported.model!.predict(x) as tf.Tensor).dataSync(), expected) < 1e-5);
    const { bytes } = await exportTflite(imported.model!, { quantization: 'float32' });
    const runtime = await loadTfliteModel(bytes);
    const got = runtime.predict(x.dataSync() as Float32Array, [3, 8, 8, 3]);
    runtime.dispose();
    assert.ok(maxAbsDiff(got, expected) < 1e-4, `TFLite differs by ${maxAbsDiff(got, expected)}`);
  });
}
