// Every supported layer type trains on wasm, and its gradients match the cpu backend's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initEngine } from '../../services/engine/backend/index.ts';
import { sparseCategoricalCrossEntropy, trainableVariables, createOptimizer } from '../../services/engine/train/index.ts';
import { rng } from './train_helpers.ts';
import { Subtract } from '../../services/engine/layers/subtract.ts';
import { SpatialDropout2D } from '../../services/engine/layers/spatial-dropout.ts';

type Build = () => tf.LayersModel;
type ST = tf.SymbolicTensor;
const on = (layer: tf.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;
const seeded = (s: number) => tf.initializers.glorotUniform({ seed: s });

const models: Record<string, { inputShape: number[]; build: Build; integerInput?: number }> = {
  dense: { inputShape: [12], build: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [12], units: 8, activation: 'relu', kernelInitializer: seeded(1) }),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(2) })] }) },
  conv1d_maxpool1d_gap1d: { inputShape: [10, 3], build: () => tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [10, 3], filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: seeded(3) }),
    tf.layers.maxPooling1d({ poolSize: 2 }),
    tf.layers.conv1d({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid', kernelInitializer: seeded(4) }),
    tf.layers.globalAveragePooling1d(),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(5) })] }) },
  conv1d_avgpool1d: { inputShape: [12, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [12, 2], filters: 3, kernelSize: 3, kernelInitializer: seeded(6) }),
    tf.layers.averagePooling1d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(7) })] }) },
  conv2d_strided_avgpool2d: { inputShape: [9, 9, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeded(8) }),
    tf.layers.averagePooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(9) })] }) },
  conv2d_maxpool2d_same: { inputShape: [8, 8, 1], build: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(10) }),
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(11) })] }) },
  depthwise_gap2d: { inputShape: [8, 8, 3], build: () => tf.sequential({ layers: [
    tf.layers.depthwiseConv2d({ inputShape: [8, 8, 3], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', depthwiseInitializer: seeded(12) }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(13) })] }) },
  separable_conv2d: { inputShape: [8, 8, 3], build: () => tf.sequential({ layers: [
    tf.layers.separableConv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: seeded(14), pointwiseInitializer: seeded(15) }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(16) })] }) },
  conv2dTranspose: { inputShape: [5, 5, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv2dTranspose({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeded(40) }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(41) })] }) },
  batchnorm: { inputShape: [6, 6, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, kernelInitializer: seeded(17) }),
    tf.layers.batchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(18) })] }) },
  embedding: { inputShape: [6], integerInput: 20, build: () => tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 20, outputDim: 5, inputLength: 6, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 19 }) }),
    tf.layers.globalAveragePooling1d(),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(20) })] }) },
  zeropad_leaky_globalmax: { inputShape: [6, 6, 2], build: () => tf.sequential({ layers: [
    tf.layers.zeroPadding2d({ inputShape: [6, 6, 2], padding: 1 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: seeded(23) }),
    tf.layers.leakyReLU({ alpha: 0.1 }),
    tf.layers.globalMaxPooling2d({}),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(24) })] }) },
  squeeze_excitation_swish_hardswish: { inputShape: [5, 5, 3], build: () => {
    const input = tf.input({ shape: [5, 5, 3] });
    const x = on(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'hardSwish' as never, kernelInitializer: seeded(25) }), input);
    let s = on(tf.layers.globalAveragePooling2d({}), x);
    s = on(tf.layers.reshape({ targetShape: [1, 1, 4] }), s);
    s = on(tf.layers.dense({ units: 2, activation: 'swish', kernelInitializer: seeded(26) }), s);
    s = on(tf.layers.dense({ units: 4, activation: 'sigmoid', kernelInitializer: seeded(27) }), s);
    const y = on(tf.layers.multiply(), [x, s]);
    return tf.model({ inputs: input, outputs: on(tf.layers.dense({ units: 3, kernelInitializer: seeded(28) }), on(tf.layers.flatten(), y)) });
  } },
  subtract_max_min_permute_prelu_elu: { inputShape: [4, 4, 2], build: () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const a = on(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: seeded(29) }), input);
    const b = on(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: seeded(30) }), input);
    let x = on(tf.layers.concatenate(), [on(new Subtract({}), [a, b]), on(tf.layers.maximum(), [a, b]), on(tf.layers.minimum(), [a, b])]);
    x = on(tf.layers.permute({ dims: [2, 1, 3] }), x);
    x = on(tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.2 }) }), x);
    x = on(tf.layers.elu({}), x);
    return tf.model({ inputs: input, outputs: on(tf.layers.dense({ units: 3, kernelInitializer: seeded(31) }), on(tf.layers.flatten(), x)) });
  } },
  cropping_upsampling_spatialdropout: { inputShape: [6, 6, 2], build: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu6', kernelInitializer: seeded(32) }),
    tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]] }),
    tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    new SpatialDropout2D({ rate: 0.2 }),
    tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, kernelInitializer: seeded(33) }),
    tf.layers.flatten(), tf.layers.dense({ units: 3, kernelInitializer: seeded(34) })] }) },
  dropout: { inputShape: [12], build: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [12], units: 16, activation: 'relu', kernelInitializer: seeded(21) }),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 3, kernelInitializer: seeded(22) })] }) },
};

function inputs(spec: { inputShape: number[]; integerInput?: number }, n: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const r = rng(seed);
  const size = n * spec.inputShape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: size }, () => spec.integerInput ? Math.floor(r() * spec.integerInput) : r() * 2 - 1);
  return { x: tf.tensor(values, [n, ...spec.inputShape]), y: tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 3), 'int32') };
}

async function gradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, training: boolean): Promise<Float32Array[]> {
  const vars = trainableVariables(model);
  const { grads, value } = tf.variableGrads(() => sparseCategoricalCrossEntropy(model.apply(x, { training }) as tf.Tensor, y), vars);
  const out = await Promise.all(vars.map(async (v) => (await grads[v.name].data()) as Float32Array));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

before(async () => {
  await initEngine('cpu');
  await initEngine('wasm');
});

for (const [name, spec] of Object.entries(models)) {
  test(`${name}: gradients on wasm match cpu, and training on wasm lowers the loss`, async () => {
    await initEngine('wasm');
    const model = spec.build();
    const { x, y } = inputs(spec, 24, name.length);
    // dropout masks are random per backend: compare gradients without them
    const training = name !== 'dropout' && name !== 'cropping_upsampling_spatialdropout';
    const onWasm = await gradients(model, x, y, training);
    await initEngine('cpu');
    const onCpu = await gradients(model, x, y, training);
    await initEngine('wasm');
    // a gradient that is ~0 in theory (a conv bias before batch norm) is compared on the model's gradient scale
    const modelScale = Math.max(...onCpu.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    onWasm.forEach((g, i) => {
      let diff = 0;
      let scale = modelScale * 1e-2;
      g.forEach((v, k) => { diff = Math.max(diff, Math.abs(v - onCpu[i][k])); scale = Math.max(scale, Math.abs(onCpu[i][k])); });
      assert.ok(diff / scale < 1e-4, `${name} weight ${i}: relative gradient error ${diff / scale}`);
    });

    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.02 });
    const vars = trainableVariables(model);
    const lossNow = () => tf.tidy(() => sparseCategoricalCrossEntropy(model.apply(x) as tf.Tensor, y).dataSync()[0]);
    const start = lossNow();
    for (let i = 0; i < 25; i++) {
      optimizer.minimize(() => sparseCategoricalCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y), true, vars)?.dispose();
    }
    const end = lossNow();
    assert.ok(Number.isFinite(end) && end < start * 0.9, `${name}: loss ${start} → ${end}`);
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
}
