// Identity for wasm without a copy. The engine clones every tensor it saves for the backward
// pass; tfjs-backend-wasm's Identity copies the buffer each time (a full copy of every
// activation per step), while tensors are immutable and the wasm backend reference-counts
// data ids — as its own Reshape relies on. Sharing the data, as the cpu backend does, is safe.
import type * as tf from '@tensorflow/tfjs';

interface RefCountingBackend { incRef(dataId: object): void }

export function identity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
