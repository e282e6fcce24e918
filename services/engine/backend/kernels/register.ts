// Registers the gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, so training
// conv, depthwise/separable conv and embedding layers runs entirely on wasm, and replaces or
// wraps shipped wasm kernels that are wrong (MaxPoolGrad) or slow in training (see each file).
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './conv2d_backprop_filter.ts';
import { conv2dBackpropInput } from './conv2d_backprop_input.ts';
import { depthwiseConv2dBackpropFilter } from './depthwise_backprop_filter.ts';
import { depthwiseConv2dBackpropInput } from './depthwise_backprop_input.ts';
import { identity } from './identity.ts';
import { maxPoolGrad } from './max_pool_grad.ts';
import { unsortedSegmentSum } from './unsorted_segment_sum.ts';
import { untransposedMatMul } from './matmul_untransposed.ts';
import { reduceLeadingAxes } from './reduce_leading.ts';
import { broadcastingTile } from './tile_broadcast.ts';
import { fastSlice } from './slice.ts';
import { rowGather } from './gather_rows.ts';

export const wasmGradientKernels: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilter as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dBackpropFilter as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dBackpropInput as tf.KernelFunc,
  UnsortedSegmentSum: unsortedSegmentSum as tf.KernelFunc,
};

/** Kernels tfjs-backend-wasm ships wrong or slow (see each file): ours replace them. */
export const wasmKernelFixes: Record<string, tf.KernelFunc> = {
  MaxPoolGrad: maxPoolGrad as tf.KernelFunc,
  Conv2DBackpropInput: conv2dBackpropInput as tf.KernelFunc,
  Identity: identity as tf.KernelFunc,
};

/** Kernel configs already wrapped (keeps registration idempotent). */
const wrapped = new WeakSet<tf.KernelConfig>();

/**
 * Idempotent. Missing kernels are added; a kernel another party registered first is kept.
 * CONDENSE_WASM_KERNEL_FIXES=0 keeps tfjs's own wasm kernels (to bisect a numeric difference).
 */
export function registerWasmGradientKernels(backendName = 'wasm'): void {
  for (const [kernelName, kernelFunc] of Object.entries(wasmGradientKernels)) {
    if (tf.getKernel(kernelName, backendName) == null) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
  if (process.env.CONDENSE_WASM_KERNEL_FIXES === '0') return;
  for (const [kernelName, kernelFunc] of Object.entries(wasmKernelFixes)) {
    const current = tf.getKernel(kernelName, backendName);
    if (current?.kernelFunc === kernelFunc) continue;
    if (current != null) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
  const wrappers: Record<string, (shipped: tf.KernelConfig) => tf.KernelConfig> = {
    BatchMatMul: (shipped) => untransposedMatMul(shipped, true),
    _FusedMatMul: (shipped) => untransposedMatMul(shipped),
    Sum: (shipped) => reduceLeadingAxes(shipped, false),
    Mean: (shipped) => reduceLeadingAxes(shipped, true),
    Tile: broadcastingTile,
    Slice: fastSlice,
    GatherV2: rowGather,
  };
  for (const [kernelName, wrap] of Object.entries(wrappers)) {
    const shipped = tf.getKernel(kernelName, backendName);
    if (shipped == null || wrapped.has(shipped)) continue;
    const wrapper = wrap(shipped);
    wrapped.add(wrapper);
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(wrapper);
  }
}
