// Sizes that show what weight sharing buys: distinct values, gzip-compressed float32 weights,
// and the packed size of an index-per-weight encoding plus codebook.
import { gzipSync } from 'node:zlib';
import type { LayersModel } from '@condense/plugin-sdk';
import type { ClusteredKernel } from './clustered-kernel.ts';

/** Every weight of the model as float32 bytes, in layer order. */
function weightBytes(model: LayersModel): Uint8Array {
  const parts = model.weights.map((w) => {
    const data = w.read().dataSync() as Float32Array;
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  });
  return Buffer.concat(parts);
}

export function gzippedWeightBytes(model: LayersModel): number {
  return gzipSync(weightBytes(model), { level: 9 }).length;
}

export function distinctValues(kernel: ClusteredKernel): number {
  return new Set(kernel.variable.read().dataSync()).size;
}

/** Bytes of ceil(log2 k)-bit indices plus a float32 codebook per kernel. */
export function indexedBytes(kernels: ClusteredKernel[]): number {
  return kernels.reduce((n, k) => {
    const bits = Math.max(1, Math.ceil(Math.log2(k.centroids.length)));
    return n + Math.ceil((k.assignment.length * bits) / 8) + 4 * k.centroids.length;
  }, 0);
}
