// Keras GRU with reset_after=True (the Keras 2.x / 3 default), from a Keras 2 .h5 written as
// Keras 2.13 writes it (config without tfjs' resetAfter=false, bias [2, 3u], cell weight names):
// the imported model, its float32 .tflite in TFLite and Arm NN, and an independent plain-JS
// implementation of Keras' formulas (gru.py, reset_after branch) agree; int8 stays close; it
// trains (loss falls) and round-trips through our own TF.js layers zip.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, exportTfjsLayersZip, type QuantizationMode } from '../../services/engine/export/index.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { kerasInputLayer, kerasObject, kerasSequential, seededValues, writeKerasH5, writeKerasZip, type FixtureLayer, type LayerSpec } from '../helpers/fixtures-keras.ts';

const T = 5;
const F = 3;
const N = 6;
const U1 = 4;
const U2 = 3;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** Keras GRUCell.call, reset_after=True, for one sample: x [T][F] → h per step (processing order). */
function kerasGru(x: number[][], kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, u: number, backwards = false): number[][] {
  let h = new Array<number>(u).fill(0);
  const out: number[][] = [];
  for (let s = 0; s < x.length; s++) {
    const xt = x[backwards ? x.length - 1 - s : s];
    // matrix_x = x W + b_input, matrix_inner = h U + b_recurrent (columns z | r | h)
    const mx = Array.from({ length: 3 * u }, (_, j) => bias[j] + xt.reduce((a, v, i) => a + v * kernel[i * 3 * u + j], 0));
    const mi = Array.from({ length: 3 * u }, (_, j) => bias[3 * u + j] + h.reduce((a, v, i) => a + v * recurrent[i * 3 * u + j], 0));
    h = h.map((hp, k) => {
      const z = sigmoid(mx[k] + mi[k]);
      const r = sigmoid(mx[u + k] + mi[u + k]);
      const hh = Math.tanh(mx[2 * u + k] + r * mi[2 * u + k]);
      return z * hp + (1 - z) * hh;
    });
    out.push(h);
  }
  return out;
}

const weights = (seed: number, f: number, u: number) => ({
  kernel: seededValues(f * 3 * u, seed, -0.6, 0.6), recurrent: seededValues(u * 3 * u, seed + 1, -0.6, 0.6), bias: seededValues(2 * 3 * u, seed + 2, -0.5, 0.5),
});
const g1 = weights(1, F, U1);
const g2 = weights(4, U1, U2);
const dense = { kernel: seededValues(U2 * 2, 7), bias: seededValues(2, 8) };

// model_config as Keras 2.13 writes it for Sequential([GRU(4, return_sequences=True), GRU(3, go_backwards=True), Dense(2, softmax)]).
const gruConfig = (name: string, units: number, extra: Record<string, unknown>) => ({
  class_name: 'GRU',
  config: {
    name, trainable: true, dtype: 'float32', return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false,
    units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true,
    kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2, reset_after: true, ...extra,
  },
});
const modelConfig = {
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, T, F], dtype: 'float32', sparse: false, ragged: false, name: 'gru_input' } },
      gruConfig('gru', U1, { return_sequences: true }),
      gruConfig('gru_1', U2, { go_backwards: true }),
      { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
    ],
  },
};
const layers: FixtureLayer[] = [
  { name: 'gru', weights: [
    { name: 'kernel', path: 'gru/gru_cell/kernel:0', shape: [F, 3 * U1], values: g1.kernel },
    { name: 'recurrent_kernel', path: 'gru/gru_cell/recurrent_kernel:0', shape: [U1, 3 * U1], values: g1.recurrent },
    { name: 'bias', path: 'gru/gru_cell/bias:0', shape: [2, 3 * U1], values: g1.bias },
  ] },
  { name: 'gru_1', weights: [
    { name: 'kernel', path: 'gru_1/gru_cell_1/kernel:0', shape: [U1, 3 * U2], values: g2.kernel },
    { name: 'recurrent_kernel', path: 'gru_1/gru_cell_1/recurrent_kernel:0', shape: [U2, 3 * U2], values: g2.recurrent },
    { name: 'bias', path: 'gru_1/gru_cell_1/bias:0', shape: [2, 3 * U2], values: g2.bias },
  ] },
  { name: 'dense', weights: [{ name: 'kernel', path: 'dense/kernel:0', shape: [U2, 2], values: dense.kernel }, { name: 'bias', path: 'dense/bias:0', shape: [2], values: dense.bias }] },
];

const x = seededValues(N * T * F, 11, -1, 1);
/** The whole model in plain JS, per Keras' formulas. */
function expected(): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    const seq = Array.from({ length: T }, (_, t) => Array.from(x.slice((n * T + t) * F, (n * T + t + 1) * F)));
    const h1 = kerasGru(seq, g1.kernel, g1.recurrent, g1.bias, U1);
    const h2 = kerasGru(h1, g2.kernel, g2.recurrent, g2.bias, U2, true).at(-1)!;
    const logits = [0, 1].map((j) => dense.bias[j] + h2.reduce((a, v, i) => a + v * dense.kernel[i * 2 + j], 0));
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    out.push(...e.map((v) => v / (e[0] + e[1])));
  }
  return out;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('GRU reset_after=True (Keras default)', { timeout: 300_000 }, () => {
  let bytes: Uint8Array;
  before(async () => {
    await initEngine('wasm');
    bytes = await writeKerasH5({ style: 'keras2', modelConfig, layers, kerasVersion: '2.13.1' });
  });

  it('imports from a Keras 2 .h5 and predicts what Keras computes', async () => {
    const model = (await importModel({ filename: 'gru.h5', bytes })).model!;
    const got = (model.predict(tf.tensor3d(x, [N, T, F])) as tf.Tensor).dataSync();
    assert.ok(maxDiff(got, expected()) < 1e-5, `tfjs differs from Keras' formulas by ${maxDiff(got, expected())}`);
    // Our own stored form (TF.js layers zip) rebuilds the same layer.
    const again = (await importModel({ filename: 'model.zip', bytes: await exportTfjsLayersZip(model) }, { registeredLayers: true })).model!;
    assert.equal(maxDiff((again.predict(tf.tensor3d(x, [N, T, F])) as tf.Tensor).dataSync(), got), 0);
    assert.equal((again.getLayer('gru').getConfig() as { resetAfter?: boolean }).resetAfter, true);
    model.dispose();
    again.dispose();
  });

  it('exports unrolled: TFLite and Arm NN compute Keras\' outputs (float32), int8 stays close', async () => {
    const model = (await importModel({ filename: 'gru.h5', bytes })).model!;
    const want = expected();
    for (const quantization of ['float32', 'int8'] as QuantizationMode[]) {
      const calibration = (async function* () { yield x; })();
      const out = await exportTflite(model, { quantization, ...(quantization === 'int8' ? { representativeData: calibration, calibrationSamples: N } : {}) });
      assert.ok(!out.ops.some((o) => o.includes('GRU') || o.includes('SEQUENCE')) && out.ops.includes('FULLY_CONNECTED'), `ops ${out.ops}`);
      const tolerance = quantization === 'float32' ? 1e-5 : 0.08;
      const runtime = await loadTfliteModel(out.bytes);
      const got = runtime.predict(x, [N, T, F]);
      runtime.dispose();
      assert.ok(maxDiff(got, want) < tolerance, `TFLite ${quantization} differs by ${maxDiff(got, want)}`);
      if (!armNnUnavailableReason()) {
        const arm = await runArmNn(out.bytes, x, [N, T, F]);
        assert.ok(maxDiff(arm.output, want) < tolerance, `Arm NN ${quantization} differs by ${maxDiff(arm.output, want)}`);
      }
    }
    model.dispose();
  });

  it('trains: a few epochs lower the loss on a toy sequence task', async () => {
    const model = (await importModel({ filename: 'gru.h5', bytes })).model!;
    // label = whether the first feature of the last step is positive
    const y = Int32Array.from({ length: 64 }, (_, n) => (seededValues(64 * T * F, 21, -1, 1)[(n * T + T - 1) * F] > 0 ? 1 : 0));
    const xs = seededValues(64 * T * F, 21, -1, 1);
    const loss = () => tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), 2), tf.log(tf.clipByValue(model.predict(tf.tensor3d(xs, [64, T, F])) as tf.Tensor, 1e-7, 1))).dataSync()[0]);
    const before = loss();
    const data = {
      info: { kind: 'tensor' as const, inputShape: [T, F], numClasses: 2, labels: ['a', 'b'], splits: { train: 64, validation: 0, test: 0 }, sampleCount: 64 },
      async *batches() { yield { size: 64, x: xs, y }; },
    };
    await fit(model, data as never, { epochs: 15, batchSize: 64, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.05 } });
    const after = loss();
    assert.ok(after < before * 0.8, `loss ${before} → ${after}`);
    model.dispose();
  });
});

describe('Bidirectional(GRU reset_after=True)', () => {
  it('exports and TFLite computes what tfjs computes', async () => {
    await initEngine('wasm');
    const { GRUResetAfter } = await import('../../services/engine/layers/gru-reset-after.ts');
    const model = tf.sequential({ layers: [
      tf.layers.bidirectional({ layer: new GRUResetAfter({ units: 3, returnSequences: true }) as never, inputShape: [T, F] }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    for (const layer of model.layers) layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(seededValues(w.size, 31 + i, -0.7, 0.7), w.shape)));
    const want = (model.predict(tf.tensor3d(x, [N, T, F])) as tf.Tensor).dataSync();
    const out = await exportTflite(model, { quantization: 'float32' });
    const runtime = await loadTfliteModel(out.bytes);
    const got = runtime.predict(x, [N, T, F]);
    runtime.dispose();
    assert.ok(maxDiff(got, want) < 1e-5, `TFLite differs by ${maxDiff(got, want)}`);
    if (!armNnUnavailableReason()) assert.ok(maxDiff((await runArmNn(out.bytes, x, [N, T, F])).output, want) < 1e-5);
    model.dispose();
  });
});

// Keras 3 `.keras`: saving_lib stores an RNN layer's variables with its cell (`layers/gru/cell/vars`,
// the layer's own `vars` empty) and a Bidirectional's with its two layers' cells
// (`forward_layer/cell/vars`, `backward_layer/cell/vars`), in Keras 3's config style.
describe('GRU from a Keras 3 .keras (variables under cell/)', () => {
  const style = 'keras3' as const;
  const init = (className: string, config: Record<string, unknown> = {}) => kerasObject(style, className, config);
  const gru3 = (name: string, units: number, extra: Record<string, unknown>) => ({
    units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true,
    kernel_initializer: init('GlorotUniform', { seed: null }), recurrent_initializer: init('Orthogonal', { gain: 1.0, seed: null }), bias_initializer: init('Zeros'),
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
    dropout: 0.0, recurrent_dropout: 0.0, reset_after: true, seed: null, return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false, zero_output_for_mask: false,
    name, ...extra,
  });
  const cell = (v: { kernel: Float32Array; recurrent: Float32Array; bias: Float32Array }, f: number, u: number) => [
    { name: 'kernel', shape: [f, 3 * u], values: v.kernel }, { name: 'recurrent_kernel', shape: [u, 3 * u], values: v.recurrent }, { name: 'bias', shape: [2, 3 * u], values: v.bias },
  ];
  const denseSpec = (units: number, inputs: number): LayerSpec => ({
    className: 'Dense', name: 'dense', inputShape: [null, inputs],
    config: { units, activation: 'softmax', use_bias: true, kernel_initializer: init('GlorotUniform', { seed: null }), bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null },
  });

  it('GRU → GRU(go_backwards) → Dense: imports and predicts what Keras computes', async () => {
    await initEngine('wasm');
    const config = kerasSequential(style, 'sequential', [
      kerasInputLayer(style, 'input_layer', [null, T, F]),
      { className: 'GRU', name: 'gru', inputShape: [null, T, F], config: gru3('gru', U1, { return_sequences: true }) },
      { className: 'GRU', name: 'gru_1', inputShape: [null, T, U1], config: gru3('gru_1', U2, { go_backwards: true }) },
      denseSpec(2, U2),
    ], [null, T, F]);
    const bytes = await writeKerasZip({ config, layers: [
      { name: 'gru', weights: [], owned: [{ path: 'cell', weights: cell(g1, F, U1) }] },
      { name: 'gru_1', weights: [], owned: [{ path: 'cell', weights: cell(g2, U1, U2) }] },
      { name: 'dense', weights: [{ name: 'kernel', shape: [U2, 2], values: dense.kernel }, { name: 'bias', shape: [2], values: dense.bias }] },
    ] });
    const model = (await importModel({ filename: 'gru.keras', bytes })).model!;
    const got = (model.predict(tf.tensor3d(x, [N, T, F])) as tf.Tensor).dataSync();
    assert.ok(maxDiff(got, expected()) < 1e-5, `tfjs differs from Keras' formulas by ${maxDiff(got, expected())}`);
    model.dispose();
  });

  it('Bidirectional(GRU) → Dense: forward then backward cell variables', async () => {
    const b1 = weights(41, F, U2);
    const b2 = weights(44, F, U2);
    const head = { kernel: seededValues(2 * U2 * 2, 47), bias: seededValues(2, 48) };
    const forward = { module: 'keras.layers', class_name: 'GRU', config: { ...gru3('forward_gru', U2, {}), trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } }, registered_name: null, build_config: { input_shape: [null, T, F] } };
    const backward = { ...forward, config: { ...forward.config, name: 'backward_gru', go_backwards: true } };
    const config = kerasSequential(style, 'sequential', [
      kerasInputLayer(style, 'input_layer', [null, T, F]),
      { className: 'Bidirectional', name: 'bidirectional', inputShape: [null, T, F], config: { merge_mode: 'concat', layer: forward, backward_layer: backward } },
      denseSpec(2, 2 * U2),
    ], [null, T, F]);
    const bytes = await writeKerasZip({ config, layers: [
      { name: 'bidirectional', weights: [], owned: [{ path: 'forward_layer/cell', weights: cell(b1, F, U2) }, { path: 'backward_layer/cell', weights: cell(b2, F, U2) }] },
      { name: 'dense', weights: [{ name: 'kernel', shape: [2 * U2, 2], values: head.kernel }, { name: 'bias', shape: [2], values: head.bias }] },
    ] });
    const model = (await importModel({ filename: 'bigru.keras', bytes })).model!;
    const got = (model.predict(tf.tensor3d(x, [N, T, F])) as tf.Tensor).dataSync();
    const want: number[] = [];
    for (let n = 0; n < N; n++) {
      const seq = Array.from({ length: T }, (_, t) => Array.from(x.slice((n * T + t) * F, (n * T + t + 1) * F)));
      const h = [...kerasGru(seq, b1.kernel, b1.recurrent, b1.bias, U2).at(-1)!, ...kerasGru(seq, b2.kernel, b2.recurrent, b2.bias, U2, true).at(-1)!];
      const logits = [0, 1].map((j) => head.bias[j] + h.reduce((a, v, i) => a + v * head.kernel[i * 2 + j], 0));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      want.push(...e.map((v) => v / (e[0] + e[1])));
    }
    assert.ok(maxDiff(got, want) < 1e-5, `tfjs differs from Keras' formulas by ${maxDiff(got, want)}`);
    model.dispose();
  });
});
