// Slice for wasm as runs of copyWithin inside the wasm heap. The shipped kernel first copies
// the WHOLE input out of the heap (readSync) and then copies one innermost row at a time, so
// cropping a [128,28,28,32] activation cost ~15 ms; here the trailing dimensions the slice
// keeps whole are merged into one contiguous run.
import * as tf from '@tensorflow/tfjs';

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
}

export function fastSlice(shipped: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return shipped.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(extent, x.dtype); // may grow the heap: take offsets after it
    const rank = x.shape.length;
    const total = extent.reduce((a, b) => a * b, 1);
    if (total === 0) return out;
    const bytes = x.dtype === 'bool' ? 1 : 4;
    // merge trailing dimensions kept whole into one contiguous run
    let runDim = rank - 1;
    while (runDim > 0 && extent[runDim] === x.shape[runDim] && start[runDim] === 0) runDim--;
    const strides = tf.util.computeStrides(x.shape);
    const inner = runDim + 1 < rank ? strides[runDim] : 1;
    const run = extent[runDim] * inner * bytes;
    const heap = backend.wasm.HEAPU8;
    const src = backend.dataIdMap.get(x.dataId).memoryOffset;
    let dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    const index = start.slice(0, runDim); // odometer over the outer dimensions
    const offsetOf = (): number => {
      let o = start[runDim] * inner;
      for (let d = 0; d < runDim; d++) o += index[d] * strides[d];
      return src + o * bytes;
    };
    for (;;) {
      const from = offsetOf();
      heap.copyWithin(dst, from, from + run);
      dst += run;
      let d = runDim - 1;
      while (d >= 0 && ++index[d] === start[d] + extent[d]) {
        index[d] = start[d];
        d--;
      }
      if (d < 0) break;
    }
    return out;
  };
  return { ...shipped, kernelFunc };
}
