// The TFLite writer on small untrained models: file structure (identifier, buffers, alignment,
// quantization layout) and float32 numerics against tfjs for every supported layer type, in
// both runtimes (TFLite's interpreter in wasm, and Arm NN when its Debian packages are present).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import {
  exportTflite, exportTfjsLayers, exportTfjsLayersZip, readTfliteModel, registerLayerConverter, UnsupportedLayerError,
} from '../../services/engine/export/index.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../services/engine/export/quantize.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { unzipSync, strFromU8 } from 'fflate';
import { lshProjectionLayerClass } from '@condense/plugin-sdk';

const armNnSkip = armNnUnavailableReason() ?? false;

function seeded(seed: number) {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }) };
}

function randomInput(n: number, sample: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([n, ...sample], -1, 1, 'float32', seed).dataSync() as Float32Array);
}

function predictTfjs(model: tf.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs float32 export of `model` in tfjs-tflite (and Arm NN) and compares with tfjs outputs. */
async function assertFloatMatches(model: tf.LayersModel, sample: number[], tolerance = 1e-4): Promise<Uint8Array> {
  const x = randomInput(4, sample, 7);
  const shape = [4, ...sample];
  const expected = predictTfjs(model, x, shape);
  const { bytes } = await exportTflite(model, { quantization: 'float32' });
  const m = await loadTfliteModel(bytes);
  const got = m.predict(x, shape);
  m.dispose();
  assert.ok(maxAbsDiff(got, expected) < tolerance, `tfjs-tflite differs from tfjs by ${maxAbsDiff(got, expected)}`);
  if (!armNnSkip) {
    const arm = await runArmNn(bytes, x, shape);
    assert.ok(maxAbsDiff(arm.output, expected) < tolerance, `Arm NN differs from tfjs by ${maxAbsDiff(arm.output, expected)}`);
  }
  return bytes;
}

describe('TFLite export: format and float32 numerics', { timeout: 300_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('writes a TFL3 file with an empty buffer 0 and 16-byte aligned weights', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3, ...seeded(1) })] });
    const { bytes, ops, tensorTypes } = await exportTflite(model, { quantization: 'float32' });
    assert.equal(String.fromCharCode(...bytes.subarray(4, 8)), 'TFL3');
    assert.deepEqual(ops, ['FULLY_CONNECTED']);
    assert.deepEqual(tensorTypes, ['FLOAT32']);
    const spec = readTfliteModel(bytes);
    const weight = spec.tensors.find((t) => t.shape.join() === '3,5')!;
    assert.ok(weight.data !== undefined, 'dense kernel stored');
    // Dense kernel [in, out] is stored transposed as [out, in].
    const kernel = model.layers[0].getWeights()[0].arraySync() as number[][];
    const stored = new Float32Array(weight.data!.slice().buffer);
    assert.equal(stored[1 * 5 + 2], Math.fround(kernel[2][1]));
    // Check buffer alignment and the sentinel directly in the flatbuffer.
    const fb = await import('flatbuffers');
    const bb = new fb.ByteBuffer(bytes);
    const root = bb.readInt32(0);
    const buffersField = bb.__offset(root, 4 + 2 * 4);
    const buffers = bb.__vector(root + buffersField);
    const count = bb.__vector_len(root + buffersField);
    const dataOf = (i: number) => {
      const table = bb.__indirect(buffers + 4 * i);
      const f = bb.__offset(table, 4);
      return f ? { start: bb.__vector(table + f), length: bb.__vector_len(table + f) } : { start: 0, length: 0 };
    };
    assert.equal(dataOf(0).length, 0, 'buffer 0 is empty');
    for (let i = 1; i < count; i++) {
      const d = dataOf(i);
      if (d.length) assert.equal(d.start % 16, 0, `buffer ${i} starts at ${d.start}`);
    }
  });

  it('matches tfjs for Conv2D (strides, dilation, same/valid), BatchNorm folding, pooling and GAP', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu', ...seeded(2) }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid', ...seeded(3) }),
        tf.layers.batchNormalization({ movingMeanInitializer: tf.initializers.constant({ value: 0.3 }), gammaInitializer: tf.initializers.constant({ value: 1.5 }) }),
        tf.layers.activation({ activation: 'relu6' }),
        tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.averagePooling2d({ poolSize: [1, 2], strides: 1 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'sigmoid', ...seeded(4) }),
      ],
    });
    const bytes = await assertFloatMatches(model, [12, 10, 3]);
    const spec = readTfliteModel(bytes);
    const ops = spec.operators.map((o) => o.op);
    assert.ok(!ops.includes('MUL') && !ops.includes('ADD'), `BatchNorm should fold into the conv, got ${ops}`);
    assert.ok(!ops.includes('RELU6'), 'relu6 fused into the conv');
    assert.deepEqual(ops, ['CONV_2D', 'CONV_2D', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'MEAN', 'FULLY_CONNECTED', 'LOGISTIC']);
  });

  it('matches tfjs for DepthwiseConv2D (multiplier 2) and SeparableConv2D', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({ inputShape: [9, 9, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }), activation: 'relu' }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, depthMultiplier: 2, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: tf.initializers.constant({ value: 0.2 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax', ...seeded(8) }),
      ],
    });
    const bytes = await assertFloatMatches(model, [9, 9, 3]);
    const ops = readTfliteModel(bytes).operators.map((o) => o.op);
    assert.deepEqual(ops, ['DEPTHWISE_CONV_2D', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  });

  it('matches tfjs for Conv1D, 1D pooling, GlobalAveragePooling1D, Rescaling, unfoldable BatchNorm and Reshape', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [24], targetShape: [12, 2] }),
        tf.layers.rescaling({ scale: 0.5, offset: -0.25 }),
        tf.layers.batchNormalization({ movingVarianceInitializer: tf.initializers.constant({ value: 2 }), betaInitializer: tf.initializers.constant({ value: 0.1 }) }),
        tf.layers.conv1d({ filters: 6, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', ...seeded(9) }),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.conv1d({ filters: 4, kernelSize: 2, ...seeded(10) }),
        tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
        tf.layers.globalAveragePooling1d({}),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 3, activation: 'tanh', ...seeded(11) }),
      ],
    });
    const bytes = await assertFloatMatches(model, [24]);
    const ops = readTfliteModel(bytes).operators.map((o) => o.op);
    assert.ok(ops.includes('MUL') && ops.includes('ADD'), 'BatchNorm after Rescaling stays MUL+ADD');
  });

  it('matches tfjs for a functional graph with Add and Concatenate', async () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...seeded(12) }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, ...seeded(13) }).apply(a) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const relu = tf.layers.reLU().apply(sum) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ axis: -1 }).apply([relu, a, b]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(tf.layers.maxPooling2d({ poolSize: 2 }).apply(cat) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 5, ...seeded(14) }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const bytes = await assertFloatMatches(model, [8, 8, 2]);
    const ops = readTfliteModel(bytes).operators.map((o) => o.op);
    assert.ok(ops.includes('ADD') && ops.includes('CONCATENATION'), `ops ${ops}`);
  });

  it('inlines a nested model used as a layer (called twice)', async () => {
    const block = tf.sequential({ name: 'block', layers: [tf.layers.dense({ inputShape: [4], units: 4, activation: 'relu', ...seeded(30) })] });
    const input = tf.input({ shape: [4] });
    const once = block.apply(input) as tf.SymbolicTensor;
    const twice = block.apply(once) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, ...seeded(31) }).apply(tf.layers.concatenate().apply([once, twice]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const bytes = await assertFloatMatches(tf.model({ inputs: input, outputs: out }), [4]);
    const ops = readTfliteModel(bytes).operators.map((o) => o.op);
    assert.deepEqual(ops, ['FULLY_CONNECTED', 'FULLY_CONNECTED', 'CONCATENATION', 'FULLY_CONNECTED']);
  });

  it('quantizes int8 per the TFLite spec: per-axis weights, int32 biases, fixed softmax output', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', ...seeded(15) }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 16 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', ...seeded(17) }),
      ],
    });
    const rep = [randomInput(32, [8, 8, 1], 18)];
    const tensorsBefore = tf.memory().numTensors;
    const { bytes, ops, tensorTypes } = await exportTflite(model, { quantization: 'int8', representativeData: rep });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'export and calibration leak no tensors');
    assert.deepEqual(ops, ['QUANTIZE', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX', 'DEQUANTIZE']);
    assert.deepEqual([...tensorTypes].sort(), ['FLOAT32', 'INT32', 'INT8']);
    const spec = readTfliteModel(bytes);
    const opOf = (name: string) => spec.operators.find((o) => o.op === name)!;
    for (const [name, axis, channels] of [['CONV_2D', 0, 4], ['DEPTHWISE_CONV_2D', 3, 8]] as const) {
      const op = opOf(name);
      const [input, weight, bias] = op.inputs.map((i) => spec.tensors[i]);
      assert.equal(weight.type, 'INT8');
      assert.equal(weight.quantization!.quantizedDimension, axis);
      assert.equal(weight.quantization!.scale.length, channels);
      const q = new Int8Array(weight.data!.slice().buffer);
      assert.ok(q.every((v) => v >= -127 && v <= 127), 'weights in [-127, 127]');
      assert.equal(bias.type, 'INT32');
      bias.quantization!.scale.forEach((s, c) => {
        assert.equal(s, Math.fround(input.quantization!.scale[0] * weight.quantization!.scale[c]), `bias scale of channel ${c}`);
      });
      assert.ok(bias.quantization!.zeroPoint.every((z) => z === 0), 'bias zero points are 0');
    }
    const softmaxOut = spec.tensors[opOf('SOFTMAX').outputs[0]];
    assert.equal(softmaxOut.quantization!.scale[0], Math.fround(1 / 256));
    assert.equal(softmaxOut.quantization!.zeroPoint[0], -128);
    // int8 I/O variant runs too, quantizing/dequantizing at the API boundary.
    const int8Io = await exportTflite(model, { quantization: 'int8', representativeData: rep, ioType: 'int8' });
    assert.ok(!int8Io.ops.includes('QUANTIZE') && !int8Io.ops.includes('DEQUANTIZE'), `int8 I/O ops ${int8Io.ops}`);
    const x = randomInput(8, [8, 8, 1], 19);
    const expected = predictTfjs(model, x, [8, 8, 8, 1]);
    for (const b of [bytes, int8Io.bytes]) {
      const m = await loadTfliteModel(b);
      const got = m.predict(x, [8, 8, 8, 1]);
      m.dispose();
      assert.ok(maxAbsDiff(got, expected) < 0.05, `int8 probabilities within 0.05 (got ${maxAbsDiff(got, expected)})`);
      if (!armNnSkip) {
        const arm = await runArmNn(b, x, [8, 8, 8, 1]);
        assert.ok(maxAbsDiff(arm.output, expected) < 0.05, `Arm NN int8 within 0.05 (got ${maxAbsDiff(arm.output, expected)})`);
      }
    }
  });

  it('keeps int8 biases exact for pruned (all-zero) channels', async () => {
    const conv = tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, ...seeded(32) });
    const model = tf.sequential({ layers: [conv, tf.layers.flatten()] });
    const [kernel] = conv.getWeights();
    const mask = tf.tensor4d([1, 0, 1], [1, 1, 1, 3]); // channel 1 pruned, its bias stays
    conv.setWeights([tf.mul(kernel, mask), tf.tensor1d([0.1, 0.5, -0.2])]);
    const rep = [randomInput(32, [6, 6, 2], 33)];
    const { bytes } = await exportTflite(model, { quantization: 'int8', representativeData: rep });
    const x = randomInput(4, [6, 6, 2], 34);
    const expected = predictTfjs(model, x, [4, 6, 6, 2]);
    const m = await loadTfliteModel(bytes);
    const got = m.predict(x, [4, 6, 6, 2]);
    m.dispose();
    for (let i = 1; i < got.length; i += 3) assert.ok(Math.abs(got[i] - 0.5) < 0.01, `pruned channel outputs its bias 0.5, got ${got[i]}`);
    assert.ok(maxAbsDiff(got, expected) < 0.05, `int8 conv within 0.05 of tfjs (got ${maxAbsDiff(got, expected)})`);
    if (!armNnSkip) {
      const arm = await runArmNn(bytes, x, [4, 6, 6, 2]);
      assert.ok(maxAbsDiff(arm.output, expected) < 0.05, `Arm NN int8 conv within 0.05 (got ${maxAbsDiff(arm.output, expected)})`);
    }
  });

  it('keeps ops without int8 kernels in float inside an int8 model (LSH projection)', async () => {
    const LshProjection = lshProjectionLayerClass(tf as never);
    const model = tf.sequential({
      layers: [
        new LshProjection({ numHash: 6, numBits: 4, inputMode: 'vector', inputShape: [10] }) as unknown as tf.layers.Layer,
        tf.layers.dense({ units: 3, activation: 'softmax', ...seeded(40) }),
      ],
    });
    const rep = [randomInput(64, [10], 41)];
    const { bytes, ops } = await exportTflite(model, { quantization: 'int8', representativeData: rep });
    // The first DEQUANTIZE expands the seeds, stored as FLOAT16 (integers exact in float16).
    assert.deepEqual(ops, ['DEQUANTIZE', 'RESHAPE', 'LSH_PROJECTION', 'CAST', 'QUANTIZE', 'FULLY_CONNECTED', 'SOFTMAX']);
    const spec = readTfliteModel(bytes);
    const lsh = spec.operators.find((o) => o.op === 'LSH_PROJECTION')!;
    const seedsFrom = spec.operators.find((o) => o.outputs[0] === lsh.inputs[0])!;
    assert.equal(seedsFrom.op, 'DEQUANTIZE');
    assert.equal(spec.tensors[seedsFrom.inputs[0]].type, 'FLOAT16', 'the hash seeds are stored as float16');
    const typeOf = (op: string, side: 'inputs' | 'outputs') => spec.tensors[spec.operators.find((o) => o.op === op)![side][0]].type;
    assert.equal(typeOf('RESHAPE', 'outputs'), 'FLOAT32', 'input values reach the projection unquantized');
    assert.equal(typeOf('FULLY_CONNECTED', 'inputs'), 'INT8');
    const x = randomInput(6, [10], 42);
    const expected = predictTfjs(model, x, [6, 10]);
    const m = await loadTfliteModel(bytes);
    const got = m.predict(x, [6, 10]);
    m.dispose();
    assert.ok(maxAbsDiff(got, expected) < 0.05, `int8 projection model within 0.05 of tfjs (got ${maxAbsDiff(got, expected)})`);
  });

  it('stores float16 weights as FLOAT16 + DEQUANTIZE and dynamic-int8 weights as INT8', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [40], units: 200, activation: 'relu', ...seeded(20) }), tf.layers.dense({ units: 4, ...seeded(21) })] });
    const f32 = await exportTflite(model, { quantization: 'float32' });
    const f16 = await exportTflite(model, { quantization: 'float16' });
    const dyn = await exportTflite(model, { quantization: 'dynamic-int8', dynamicRangeMinElements: 1000 });
    assert.ok(f16.tensorTypes.includes('FLOAT16') && f16.ops[0] === 'DEQUANTIZE', `float16 ops ${f16.ops}`);
    assert.ok(dyn.tensorTypes.includes('INT8'), 'dynamic-int8 has INT8 tensors');
    const dynSpec = readTfliteModel(dyn.bytes);
    const kernels = dynSpec.tensors.filter((t) => t.data && t.shape.length === 2);
    assert.deepEqual(kernels.map((t) => t.type).sort(), ['FLOAT32', 'INT8'], 'only the 8000-element kernel is int8');
    assert.ok(f16.bytes.length < f32.bytes.length * 0.6 && dyn.bytes.length < f32.bytes.length * 0.5, `sizes f32 ${f32.bytes.length}, f16 ${f16.bytes.length}, dynamic ${dyn.bytes.length}`);
    const x = randomInput(5, [40], 22);
    const expected = predictTfjs(model, x, [5, 40]);
    for (const { bytes } of [f16, dyn]) {
      const m = await loadTfliteModel(bytes);
      const d = maxAbsDiff(m.predict(x, [5, 40]), expected);
      assert.ok(d < 0.05, `differs from tfjs by ${d}`);
      m.dispose();
    }
  });

  it('computes peak activation memory from tensor lifetimes', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 50 }), tf.layers.dense({ units: 10 })] });
    const f32 = await exportTflite(model, { quantization: 'float32' });
    // Peak = input (100) + first output (50) floats alive together.
    assert.equal(f32.peakActivationBytes, (100 + 50) * 4);
    const q = await exportTflite(model, { quantization: 'int8', representativeData: [randomInput(16, [100], 3)] });
    assert.ok(q.peakActivationBytes < f32.peakActivationBytes, `int8 peak ${q.peakActivationBytes} vs float ${f32.peakActivationBytes}`);
  });

  it('rejects unsupported layers with one clear message naming the layer', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.layerNormalization({ name: 'ln' })] });
    await assert.rejects(exportTflite(model, { quantization: 'float32' }), (err: Error) =>
      err instanceof UnsupportedLayerError && /layer 'ln' of type LayerNormalization is not supported/.test(err.message));
    const selu = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4, activation: 'selu', name: 'd_selu' })] });
    await assert.rejects(exportTflite(selu, { quantization: 'float32' }), /layer 'd_selu' \(Dense\): activation 'selu' is not supported/);
    await assert.rejects(exportTflite(selu, { quantization: 'int4' as 'int8' }), /quantization must be one of/);
    const ok = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 })] });
    await assert.rejects(exportTflite(ok, { quantization: 'int8' }), /needs representativeData/);
  });

  it('lets a plugin register a converter for its own layer', async () => {
    class TimesTwo extends tf.layers.Layer {
      static className = 'TimesTwoForExportTest';
      call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2));
      }
    }
    tf.serialization.registerClass(TimesTwo);
    registerLayerConverter('TimesTwoForExportTest', (c) => {
      const two = c.graph.addConstant(`${c.layer.name}/two`, [1], Float32Array.of(2));
      return [c.graph.addOp('MUL', [c.inputs[0], two], c.layer.name, c.outputShapes[0], { kind: 'MulOptions', activation: 'NONE' })];
    });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, ...seeded(23) }), new TimesTwo({})] });
    await assertFloatMatches(model, [3]);
  });

  it('exports TF.js layers format (model.json + weights.bin, and as a zip) that reloads identically', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 3, activation: 'relu', ...seeded(24) })] });
    const { modelJson, weights } = await exportTfjsLayers(model);
    assert.equal(modelJson.format, 'layers-model');
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights.slice().buffer,
    }));
    const x = randomInput(3, [6], 25);
    assert.equal(maxAbsDiff(predictTfjs(reloaded, x, [3, 6]), predictTfjs(model, x, [3, 6])), 0);
    const files = unzipSync(await exportTfjsLayersZip(model));
    assert.deepEqual(Object.keys(files).sort(), ['model.json', 'weights.bin']);
    assert.equal(JSON.parse(strFromU8(files['model.json'])).format, 'layers-model');
    assert.equal(files['weights.bin'].length, weights.length);
  });

  it('converts float16 with round-to-nearest-even', () => {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001);
    assert.equal(fromFloat16Bits(toFloat16Bits(0.1)), 0.0999755859375);
    assert.equal(fromFloat16Bits(toFloat16Bits(1 + 2 ** -11)), 1); // tie → even
  });
});
