// GatherV2 along axis 0 (Embedding lookups) for wasm as one copyWithin per row inside the
// wasm heap. The shipped kernel checks each index through a closure and gathers element by
// element: an Embedding(10000, 64) lookup of 128×100 tokens took ~30 ms, a third of a step.
import * as tf from '@tensorflow/tfjs';

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array; HEAP32: Int32Array };
}

export function rowGather(shipped: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const indices = args.inputs.indices as tf.TensorInfo;
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims?: number };
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    if (along !== 0 || (batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) {
      return shipped.kernelFunc(args);
    }
    const backend = args.backend as unknown as WasmBackend;
    const rows = x.shape[0];
    const rowShape = x.shape.slice(1);
    const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype); // may grow the heap: offsets after it
    const count = indices.shape.reduce((a, b) => a * b, 1);
    const rowBytes = rowShape.reduce((a, b) => a * b, 1) * 4;
    const heap = backend.wasm.HEAPU8;
    const ids = backend.wasm.HEAP32.subarray(backend.dataIdMap.get(indices.dataId).memoryOffset >>> 2, (backend.dataIdMap.get(indices.dataId).memoryOffset >>> 2) + count);
    const src = backend.dataIdMap.get(x.dataId).memoryOffset;
    let dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    for (let k = 0; k < count; k++) {
      const id = ids[k];
      if (!(id >= 0 && id < rows)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
      heap.copyWithin(dst, src + id * rowBytes, src + (id + 1) * rowBytes);
      dst += rowBytes;
    }
    return out;
  };
  return { ...shipped, kernelFunc };
}
