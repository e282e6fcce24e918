// TFLite converter for ProjectionNet's `LshProjection` layer (plugins/projection): the builtin
// LSH_PROJECTION op (DENSE) between the float graph's input and its dense layers.
//   text mode:   x float32 [1, 2, N] (ids, weights) → RESHAPE [2N] → SLICE ids [N], SLICE weights [N]
//   vector mode: x float32 [1, D] → RESHAPE [D] = weights; ids = int32 constant 0..D-1
// then LSH_PROJECTION(hash [T, d] seeds, ids, weights) → int32 [T·d] bits → CAST float32 →
// RESHAPE [1, T·d]. The kernel treats its input as one set of elements (no batch dimension), so
// the exported model runs one sample per invocation (batch 1).
// With `inFrontEnd` (plugin config hashing 'front-end') the app computes the bits and the layer
// emits nothing: the file is the dense head over a [batch, T·d] input (Arm NN 20.08 has no
// LSH_PROJECTION or CAST).
import { tf } from '../../backend/index.ts';
import { float32Bits, lshProjectDense, lshSeeds } from '../../../../plugins/sdk/src/text/index.ts';
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';
import { registerOpSpec } from '../op-specs.ts';

export const LSH_PROJECTION_LAYER = 'LshProjection';

function convert(c: LayerConversion): number[] {
  const { numHash, numBits, inputMode, inFrontEnd } = c.config as { numHash: number; numBits: number; inputMode: string; inFrontEnd?: boolean };
  const seeds = lshSeeds(numHash, numBits);
  const x = c.inputs[0];
  const inShape = c.graph.tensors[x].shape;
  const name = c.layer.name;
  if (inFrontEnd) {
    // The front end computed the bits: they are the input; nothing to emit.
    if (inShape.length !== 2 || inShape[1] !== seeds.length) throw new UnsupportedLayerError(`layer '${name}' (LshProjection, bits from the front end): input must be [batch, ${seeds.length}], got [${inShape}]`);
    return [x];
  }
  let ids: number;
  let weights: number;
  if (inputMode === 'text') {
    if (inShape.length !== 3 || inShape[1] !== 2) throw new UnsupportedLayerError(`layer '${name}' (LshProjection, text): input must be [batch, 2, N], got [${inShape}]`);
    const n = inShape[2];
    const flat = c.graph.addOp('RESHAPE', [x, c.graph.addIntConstant(`${name}/flat_shape`, [2 * n])], `${name}/flat`, [2 * n], { kind: 'ReshapeOptions', newShape: [2 * n] });
    const size = c.graph.addIntConstant(`${name}/size`, [n]);
    ids = c.graph.addOp('SLICE', [flat, c.graph.addIntConstant(`${name}/ids_begin`, [0]), size], `${name}/ids`, [n]);
    weights = c.graph.addOp('SLICE', [flat, c.graph.addIntConstant(`${name}/weights_begin`, [n]), size], `${name}/weights`, [n]);
  } else if (inputMode === 'vector') {
    if (inShape.length !== 2) throw new UnsupportedLayerError(`layer '${name}' (LshProjection, vector): input must be [batch, D], got [${inShape}]`);
    const d = inShape[1];
    weights = c.graph.addOp('RESHAPE', [x, c.graph.addIntConstant(`${name}/flat_shape`, [d])], `${name}/weights`, [d], { kind: 'ReshapeOptions', newShape: [d] });
    ids = c.graph.addIntConstant(`${name}/ids`, Array.from({ length: d }, (_, i) => i));
  } else {
    throw new UnsupportedLayerError(`layer '${name}' (LshProjection): unknown inputMode '${inputMode}'`);
  }
  const hash = c.graph.addConstant(`${name}/hash_seeds`, [numHash, numBits], seeds);
  // The seeds 0..T·d−1 (≤ 2048) are exact in float16: half the bytes in every export mode.
  c.graph.tensors[hash].exactInFloat16 = true;
  const bits = c.graph.addOp('LSH_PROJECTION', [hash, ids, weights], `${name}/bits`, [seeds.length], { kind: 'LSHProjectionOptions', type: 'DENSE' });
  c.graph.tensors[bits].dtype = 'int32';
  const floats = c.graph.addOp('CAST', [bits], `${name}/bits_float`, [seeds.length]);
  const out = c.graph.addIntConstant(`${name}/out_shape`, [1, seeds.length]);
  return [c.graph.addOp('RESHAPE', [floats, out], name, [-1, seeds.length], { kind: 'ReshapeOptions', newShape: [1, seeds.length] })];
}

registerLayerConverter(LSH_PROJECTION_LAYER, convert);

// Float reference implementations, used when the IR graph is interpreted (calibration). In int8
// models the projection stays float/int32 and only the dense layers after it are quantized.
registerOpSpec('SLICE', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  intInputs: [1, 2],
  run([x], op, graph) {
    const begin = Array.from(graph.tensors[op.inputs[1]].intValue ?? []);
    const size = Array.from(graph.tensors[op.inputs[2]].intValue ?? []);
    return tf.slice(x, begin, size);
  },
});

registerOpSpec('CAST', {
  versions: { float: 1, int8: 1 },
  int8Output: 'float', // int32 bits in, float out: stays float in int8 models
  run: ([x]) => tf.cast(x, 'float32'),
});

registerOpSpec('LSH_PROJECTION', {
  versions: { float: 1, int8: 1 },
  int8Output: 'float', // hashes the raw bytes of its float inputs: they must not be quantized
  intInputs: [1],
  run(inputs, op, graph) {
    const hashT = graph.tensors[op.inputs[0]];
    const seeds = hashT.value ?? Float32Array.from(inputs[0].dataSync());
    const idsT = graph.tensors[op.inputs[1]];
    const idValues = idsT.intValue ?? inputs[1].dataSync();
    const elements = idsT.intValue
      ? Uint32Array.from(idValues, (v) => v >>> 0)
      : Uint32Array.from(idValues, (v) => float32Bits(v));
    const weights = Float32Array.from(inputs[2].dataSync());
    const bits = new Int32Array(seeds.length);
    lshProjectDense(seeds, elements, weights, bits);
    return tf.tensor1d(bits, 'int32');
  },
});
