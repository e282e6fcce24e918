// The wasm gradient kernels we compose must match the cpu backend's own kernels.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initEngine } from '../../services/engine/backend/index.ts';
import { mulberry32 } from '../../services/engine/random.ts';

/** Uniform values in [-1, 1) from the engine's seeded generator. */
function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() * 2 - 1;
}

function randomArray(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, r);
}

interface Input { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' }

async function run(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input>, attrs: object): Promise<{ shape: number[]; values: Float32Array }> {
  await initEngine(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype);
  const out = tf.engine().runKernel(kernel, ts as any, attrs as any) as tf.Tensor;
  const result = { shape: out.shape, values: (await out.data()) as Float32Array };
  out.dispose();
  Object.values(ts).forEach((t) => t.dispose());
  return result;
}

function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

async function compare(kernel: string, inputs: Record<string, Input>, attrs: object, reference?: { kernel: string; inputs: Record<string, Input>; attrs: object; post?: (v: { shape: number[]; values: Float32Array }) => { shape: number[]; values: Float32Array } }): Promise<void> {
  let want = reference
    ? await run('cpu', reference.kernel, reference.inputs, reference.attrs)
    : await run('cpu', kernel, inputs, attrs);
  if (reference?.post) want = reference.post(want);
  const before = tf.memory().numTensors;
  const got = await run('wasm', kernel, inputs, attrs);
  assert.equal(tf.memory().numTensors, before, `${kernel} leaked tensors`);
  assert.deepEqual(got.shape, want.shape, `${kernel} ${JSON.stringify(attrs)} shape`);
  const err = relError(got.values, want.values);
  assert.ok(err < 1e-4, `${kernel} ${JSON.stringify(attrs)} relative error ${err}`);
}

const f32 = (shape: number[], r: () => number): Input => ({ shape, values: randomArray(shape.reduce((a, b) => a * b, 1), r), dtype: 'float32' });

function outSize(inSize: number, f: number, s: number, d: number, pad: 'same' | 'valid'): number {
  const eff = (f - 1) * d + 1;
  return pad === 'same' ? Math.ceil(inSize / s) : Math.floor((inSize - eff) / s) + 1;
}

/** Inserts d−1 zeros between filter taps: a dilated filter as an undilated one (cpu's backprop kernels ignore dilation). */
function dilateFilter(f: Input, d: [number, number]): Input {
  const [fh, fw, c, m] = f.shape;
  const eh = (fh - 1) * d[0] + 1;
  const ew = (fw - 1) * d[1] + 1;
  const out = new Float32Array(eh * ew * c * m);
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) {
    out[((i * d[0]) * ew + j * d[1]) * c * m + k] = f.values[(i * fw + j) * c * m + k];
  }
  return { shape: [eh, ew, c, m], values: out, dtype: 'float32' };
}

before(async () => {
  await initEngine('cpu');
  await initEngine('wasm');
});

test('Conv2DBackpropFilter matches cpu over shapes, strides and paddings', async () => {
  const r = rng(1);
  const cases: Array<[number[], [number, number], [number, number], 'same' | 'valid' | number]> = [
    [[2, 7, 7, 3], [3, 3], [1, 1], 'same'],
    [[2, 7, 7, 3], [3, 3], [1, 1], 'valid'],
    [[3, 9, 8, 2], [3, 2], [2, 2], 'same'],
    [[3, 9, 8, 2], [3, 3], [2, 3], 'valid'],
    [[1, 10, 10, 4], [5, 5], [3, 3], 'same'],
    [[2, 6, 6, 1], [1, 1], [1, 1], 'valid'],
    [[2, 8, 8, 3], [3, 3], [2, 2], 1], // tfjs computes numeric-pad output sizes with the row stride only
    [[2, 1, 12, 3], [1, 3], [1, 2], 'same'], // conv1d
    [[2, 6, 6, 8], [3, 3], [1, 1], 'same'], // patch length > 32: the correlation path
    [[3, 5, 5, 40], [1, 1], [1, 1], 'valid'], // pointwise: one product
    [[3, 5, 5, 40], [1, 1], [2, 2], 'same'],
    [[3, 9, 7, 6], [3, 3], [2, 2], 'valid'],
    [[2, 1, 16, 12], [1, 5], [1, 2], 'same'],
  ];
  for (const [xShape, [fh, fw], strides, pad] of cases) {
    const oc = 1 + Math.floor((r() + 1) * 3);
    const p = typeof pad === 'number' ? 'valid' : pad;
    const extra = typeof pad === 'number' ? 2 * pad : 0;
    const oh = outSize(xShape[1] + extra, fh, strides[0], 1, p);
    const ow = outSize(xShape[2] + extra, fw, strides[1], 1, p);
    await compare('Conv2DBackpropFilter',
      { x: f32(xShape, r), dy: f32([xShape[0], oh, ow, oc], r) },
      { strides, pad, dataFormat: 'NHWC', filterShape: [fh, fw, xShape[3], oc] });
  }
});

test('Conv2DBackpropInput (replaced on wasm for speed; strided by phases) matches cpu over shapes, strides and paddings', async () => {
  const r = rng(7);
  const cases: Array<[number[], [number, number], [number, number], 'same' | 'valid' | number]> = [
    [[2, 7, 7, 3], [3, 3], [1, 1], 'same'],
    [[2, 7, 7, 3], [3, 3], [1, 1], 'valid'],
    [[3, 9, 8, 2], [3, 2], [2, 2], 'same'],
    [[3, 9, 8, 2], [3, 3], [2, 3], 'valid'],
    [[1, 10, 10, 4], [5, 5], [3, 3], 'same'],
    [[2, 8, 8, 3], [3, 3], [2, 2], 1],
    [[2, 1, 12, 3], [1, 3], [1, 2], 'same'],
    // strided: one small correlation per output phase, interleaved
    [[2, 12, 12, 5], [3, 3], [2, 2], 'valid'], // the demo teacher's second conv (12 → 5: the last row gets no gradient)
    [[2, 11, 9, 3], [5, 5], [2, 2], 'same'],
    [[2, 9, 9, 3], [1, 1], [2, 2], 'valid'], // phases no tap reaches: zero
    [[2, 10, 11, 2], [2, 2], [3, 3], 'same'],
    [[1, 13, 8, 3], [4, 3], [3, 2], 'valid'],
    [[2, 7, 7, 2], [3, 3], [2, 2], 2],
  ];
  for (const [xShape, [fh, fw], strides, pad] of cases) {
    const oc = 2 + Math.floor((r() + 1) * 2);
    const p = typeof pad === 'number' ? 'valid' : pad;
    const extra = typeof pad === 'number' ? 2 * pad : 0;
    const oh = outSize(xShape[1] + extra, fh, strides[0], 1, p);
    const ow = outSize(xShape[2] + extra, fw, strides[1], 1, p);
    await compare('Conv2DBackpropInput',
      { dy: f32([xShape[0], oh, ow, oc], r), filter: f32([fh, fw, xShape[3], oc], r) },
      { strides, pad, dataFormat: 'NHWC', inputShape: xShape });
  }
  await compare('Conv2DBackpropInput',
    { dy: f32([2, 4, 4, 4], r), filter: f32([3, 3, 3, 4], r) },
    { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 7, 7] });
});

test('Conv2DBackpropFilter handles NCHW', async () => {
  const r = rng(2);
  await compare('Conv2DBackpropFilter',
    { x: f32([2, 3, 7, 7], r), dy: f32([2, 4, 4, 4], r) },
    { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] });
});

const depthwiseCases: Array<[number[], [number, number], number, [number, number], [number, number], 'same' | 'valid']> = [
  [[2, 7, 7, 3], [3, 3], 1, [1, 1], [1, 1], 'same'],
  [[2, 7, 7, 3], [3, 3], 2, [1, 1], [1, 1], 'valid'],
  [[2, 9, 8, 2], [3, 3], 1, [2, 2], [1, 1], 'same'],
  [[1, 9, 10, 3], [2, 3], 3, [2, 3], [1, 1], 'valid'],
  [[2, 10, 10, 2], [3, 3], 1, [1, 1], [2, 2], 'same'],
  [[2, 11, 11, 2], [3, 2], 2, [1, 1], [2, 3], 'valid'],
  [[2, 12, 12, 2], [3, 3], 1, [2, 2], [2, 2], 'same'],
];

test('DepthwiseConv2dNativeBackpropFilter matches cpu over strides, paddings and dilations', async () => {
  const r = rng(3);
  for (const [xShape, [fh, fw], m, strides, dilations, pad] of depthwiseCases) {
    const c = xShape[3];
    const oh = outSize(xShape[1], fh, strides[0], dilations[0], pad);
    const ow = outSize(xShape[2], fw, strides[1], dilations[1], pad);
    const x = f32(xShape, r);
    const dy = f32([xShape[0], oh, ow, c * m], r);
    const attrs = { strides, dilations, pad, filterShape: [fh, fw, c, m] };
    const eh = (fh - 1) * dilations[0] + 1;
    const ew = (fw - 1) * dilations[1] + 1;
    // reference: gradient for the zero-stuffed undilated filter, read back at the taps
    await compare('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs, {
      kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x, dy },
      attrs: { strides, dilations: [1, 1], pad, filterShape: [eh, ew, c, m] },
      post: (v) => {
        const out = new Float32Array(fh * fw * c * m);
        for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) {
          out[(i * fw + j) * c * m + k] = v.values[((i * dilations[0]) * ew + j * dilations[1]) * c * m + k];
        }
        return { shape: [fh, fw, c, m], values: out };
      },
    });
  }
});

test('DepthwiseConv2dNativeBackpropInput matches cpu over strides, paddings and dilations', async () => {
  const r = rng(4);
  for (const [xShape, [fh, fw], m, strides, dilations, pad] of depthwiseCases) {
    const c = xShape[3];
    const oh = outSize(xShape[1], fh, strides[0], dilations[0], pad);
    const ow = outSize(xShape[2], fw, strides[1], dilations[1], pad);
    const filter = f32([fh, fw, c, m], r);
    const dy = f32([xShape[0], oh, ow, c * m], r);
    await compare('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides, dilations, pad, inputShape: xShape }, {
      kernel: 'DepthwiseConv2dNativeBackpropInput', inputs: { dy, filter: dilateFilter(filter, dilations) },
      attrs: { strides, dilations: [1, 1], pad, inputShape: xShape },
    });
  }
});

test('UnsortedSegmentSum matches cpu, including repeated and out-of-range ids', async () => {
  const r = rng(5);
  for (const [n, rest, numSegments] of [[10, [4], 6], [50, [3, 2], 7], [5, [], 3], [64, [16], 1000]] as Array<[number, number[], number]>) {
    const ids = Int32Array.from({ length: n }, () => Math.floor(((r() + 1) / 2) * (numSegments + 2)) - 1);
    await compare('UnsortedSegmentSum',
      { x: f32([n, ...rest], r), segmentIds: { shape: [n], values: ids, dtype: 'int32' } },
      { numSegments });
  }
});

test('pooling gradients match cpu, including windows whose maximum is negative or tied', async () => {
  const r = rng(6);
  const cases = [[[2, 8, 8, 3], 2, 2, 'valid'], [[2, 7, 7, 2], 2, 2, 'same'], [[2, 7, 7, 2], 3, 2, 'same'],
    [[1, 9, 9, 2], 3, 1, 'same'], [[2, 9, 8, 1], 3, 3, 'valid'], [[1, 6, 6, 2], 2, 1, 'valid']] as Array<[number[], number, number, 'same' | 'valid']>;
  for (const [xShape, f, s, pad] of cases) {
    const oh = outSize(xShape[1], f, s, 1, pad);
    const ow = outSize(xShape[2], f, s, 1, pad);
    const x = f32(xShape, r);
    // the first window ties at 0 (as after a ReLU): the first position must get the gradient
    for (let i = 0; i < f; i++) x.values.fill(0, i * xShape[2] * xShape[3], (i * xShape[2] + f) * xShape[3]);
    const dy = f32([xShape[0], oh, ow, xShape[3]], r);
    const attrs = { filterSize: [f, f], strides: [s, s], pad };
    await compare('AvgPoolGrad', { dy, input: x }, attrs);
    // MaxPoolGrad needs the forward output: compute it on cpu
    const fwd = await run('cpu', 'MaxPool', { x }, attrs);
    await compare('MaxPoolGrad', { dy, input: x, output: { shape: fwd.shape, values: fwd.values, dtype: 'float32' } }, attrs);
  }
});

test('Sum and Mean over leading axes (bias gradients, batch statistics) match cpu', async () => {
  const r = rng(8);
  for (const [shape, axis, keepDims] of [
    [[16, 9, 9, 5], [0, 1, 2], false], [[16, 9, 9, 5], [0, 1, 2], true], [[40, 30, 3], [1, 0], false],
    [[16, 9, 9, 5], [1, 2], false], [[300, 7], [0], false], [[16, 9, 9, 5], -1, false],
  ] as Array<[number[], number | number[], boolean]>) {
    const x = f32(shape, r);
    await compare('Sum', { x }, { axis, keepDims });
    await compare('Mean', { x }, { axis, keepDims });
  }
});

test('Identity shares data without a copy and keeps it alive for every holder', async () => {
  await initEngine('wasm');
  const a = tf.tensor([1, 2, 3]);
  const b = tf.clone(a);
  a.dispose();
  assert.deepEqual(Array.from(await b.data()), [1, 2, 3]);
  b.dispose();
});

test('BatchMatMul with transposes (done as explicit Transpose, or as (BᵀAᵀ)ᵀ for a huge B) matches cpu', async () => {
  const r = rng(9);
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[5, 7], [3, 7], false, true], [[7, 5], [3, 7], true, true],
    [[2, 4, 6], [2, 6, 3], false, false], [[2, 6, 4], [2, 3, 6], true, true],
    [[3000, 9], [3000, 300], true, false], // B ≫ A: computed as (BᵀA)ᵀ
    [[4, 3000], [300, 3000], false, true],
    [[32, 128], [1600, 128], false, true], // a Dense layer's input gradient dY·Wᵀ (the demo teacher's 1600→128)
  ];
  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    await compare('BatchMatMul', { a: f32(aShape, r), b: f32(bShape, r) }, { transposeA, transposeB });
  }
});

test('Tile (a broadcasting Add when repeated axes have size 1) matches cpu', async () => {
  const r = rng(10);
  for (const [shape, reps] of [[[1, 1, 1, 6], [4, 5, 5, 1]], [[3, 1], [1, 4]], [[2, 3], [2, 2]], [[1, 4, 1], [3, 1, 2]]] as Array<[number[], number[]]>) {
    await compare('Tile', { x: f32(shape, r) }, { reps });
  }
  await compare('Tile', { x: { shape: [1, 3], values: Int32Array.from([1, 2, 3]), dtype: 'int32' } }, { reps: [4, 1] });
});

test('Slice (copyWithin runs inside the wasm heap) matches cpu for any rank, dtype and region', async () => {
  const r = rng(11);
  const cases: Array<[number[], number[], number[]]> = [
    [[7], [2], [3]], [[5, 6], [1, 2], [3, 4]], [[5, 6], [1, 0], [3, 6]], [[4, 5, 6], [1, 0, 0], [2, 5, 6]],
    [[3, 8, 8, 4], [0, 1, 1, 0], [3, 6, 7, 4]], [[3, 8, 8, 4], [1, 2, 3, 1], [2, 3, 4, 2]], [[2, 3, 4, 5, 6], [1, 0, 1, 2, 0], [1, 3, 2, 3, 6]],
    [[3, 4], [0, 0], [3, 4]], [[3, 4], [1, 1], [0, 2]],
  ];
  for (const [shape, begin, size] of cases) {
    await compare('Slice', { x: f32(shape, r) }, { begin, size });
  }
  await compare('Slice', { x: { shape: [4, 5], values: Int32Array.from({ length: 20 }, (_, i) => i * 3 - 7), dtype: 'int32' } }, { begin: [1, 2], size: [2, 3] });
});

test('GatherV2 along axis 0 (row copies) matches cpu; other axes and bad indices behave as before', async () => {
  const r = rng(12);
  const idx = (values: number[], shape: number[]): Input => ({ shape, values: Int32Array.from(values), dtype: 'int32' });
  await compare('GatherV2', { x: f32([20, 5], r), indices: idx([3, 0, 19, 3, 7, 7], [2, 3]) }, { axis: 0, batchDims: 0 });
  await compare('GatherV2', { x: f32([6, 2, 3], r), indices: idx([5, 1], [2]) }, { axis: 0, batchDims: 0 });
  await compare('GatherV2', { x: f32([6], r), indices: idx([5, 1, 1], [3]) }, { axis: 0, batchDims: 0 });
  await compare('GatherV2', { x: f32([4, 6], r), indices: idx([5, 1], [2]) }, { axis: 1, batchDims: 0 });
  await compare('GatherV2', { x: { shape: [3, 2], values: Int32Array.from([1, 2, 3, 4, 5, 6]), dtype: 'int32' }, indices: idx([2, 0], [2]) }, { axis: 0, batchDims: 0 });
  await initEngine('wasm');
  assert.throws(() => tf.gather(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([0, 2], 'int32')), /index value 2 is not in \[0, 1\]/);
});
