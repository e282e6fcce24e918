// The versioned catalog of hardware targets Condense builds and checks models for.
// Every latency constant below is an ESTIMATE for one representative device, taken from
// public datasheets and published benchmark figures (named next to each number). They serve to
// rank candidates and reject obvious misfits before anyone has the device on a desk.

import { EDGETPU_OPS, GPU_DELEGATE_OPS, TFJS_WASM_OPS, TFLITE_BUILTIN_OPS, TFLITE_MICRO_OPS } from './ops.ts';
import type { HardwareTarget } from './types.ts';

/** Bumped whenever a target is added, removed, or a budget/constant changes, so stored fit
 * results can say which catalog judged them. */
export const CATALOG_VERSION = '1.0.0';

const KB = 1024;
const MB = 1024 * 1024;

const PHONE_TENSOR_TYPES = ['float32', 'float16', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'];

const TARGETS: readonly HardwareTarget[] = [
  {
    id: 'cpu-fp32',
    name: 'Mobile CPU, float32',
    description: 'Mid-range Android phone CPU (4 threads on Cortex-A76-class cores) running the TFLite interpreter with XNNPACK in float32.',
    runtime: 'tflite',
    format: 'tflite',
    tensorTypes: PHONE_TENSOR_TYPES,
    ops: TFLITE_BUILTIN_OPS,
    // Budgets are policy for an app-bundled model on a 4–6 GB phone, not hardware limits.
    maxFileBytes: 256 * MB,
    maxActivationBytes: 512 * MB,
    runtimeOverheadBytes: 0,
    sparseWeights: true,
    preferredQuantization: 'float32',
    acceptedQuantizations: ['float32', 'float16', 'dynamic-int8', 'int8'],
    latency: {
      // MobileNet V1 1.0/224 (569 M MACs) runs in roughly 20–30 ms on 2019-era phones with
      // 4 CPU threads in float (TFLite "performance measurement" page), i.e. ~20–28 GMAC/s.
      macsPerSecond: 20e9,
      // LPDDR4X peaks at ~17–30 GB/s; a few CPU cores sustain about 10 GB/s.
      bytesPerSecond: 10e9,
      perOpOverheadMs: 0.005,
      fixedOverheadMs: 0.05,
      source: 'estimate: TFLite published MobileNet V1 CPU float timings on Pixel 3/4-class phones; LPDDR4X datasheet bandwidth',
    },
  },
  {
    id: 'cpu-int8',
    name: 'Mobile CPU, int8',
    description: 'The same phone CPU running fully quantized int8 kernels (XNNPACK/ruy with the Armv8.2 dot-product instructions).',
    runtime: 'tflite',
    format: 'tflite',
    tensorTypes: PHONE_TENSOR_TYPES,
    requiredTensorTypes: ['int8'],
    ops: TFLITE_BUILTIN_OPS,
    maxFileBytes: 256 * MB,
    maxActivationBytes: 512 * MB,
    runtimeOverheadBytes: 0,
    sparseWeights: true,
    preferredQuantization: 'int8',
    acceptedQuantizations: ['int8', 'dynamic-int8'],
    latency: {
      // Quantized MobileNet V1 runs in ~10–13 ms on the same phones (TFLite hosted-models
      // table), ~45–55 GMAC/s: int8 SDOT does 4× the lanes of fp32 FMA, minus requantization.
      macsPerSecond: 50e9,
      bytesPerSecond: 10e9,
      perOpOverheadMs: 0.005,
      fixedOverheadMs: 0.05,
      source: 'estimate: TFLite published quantized MobileNet V1 CPU timings on Pixel 3/4-class phones',
    },
  },
  {
    id: 'gpu-fp16',
    name: 'Mobile GPU, float16',
    description: 'Phone GPU (Adreno 640-class) through the TFLite GPU delegate, computing in float16.',
    runtime: 'tflite-gpu-delegate',
    format: 'tflite',
    // int32 stays allowed for shape tensors (RESHAPE's second input).
    tensorTypes: ['float32', 'float16', 'int32'],
    ops: GPU_DELEGATE_OPS,
    maxFileBytes: 256 * MB,
    maxActivationBytes: 512 * MB,
    runtimeOverheadBytes: 0,
    sparseWeights: false,
    preferredQuantization: 'float16',
    acceptedQuantizations: ['float16', 'float32'],
    latency: {
      // MobileNet V1 on the GPU delegate: ~5–7 ms on Adreno 640 (TFLite GPU delegate
      // announcement benchmarks), ~90 GMAC/s; each kernel launch costs tens of microseconds and
      // copying input/output to and from GPU memory about half a millisecond.
      macsPerSecond: 90e9,
      bytesPerSecond: 15e9,
      perOpOverheadMs: 0.03,
      fixedOverheadMs: 0.5,
      source: 'estimate: TFLite GPU delegate published MobileNet timings on Adreno 640-class GPUs',
    },
  },
  {
    id: 'edgetpu-int8',
    name: 'Coral Edge TPU, int8',
    description: 'Google Coral Edge TPU (USB Accelerator / Dev Board): full-integer int8 models with int8 input and output, restricted op set.',
    runtime: 'edgetpu',
    format: 'tflite',
    tensorTypes: ['int8', 'uint8', 'int32'],
    requiredTensorTypes: ['int8'],
    ops: EDGETPU_OPS,
    // Larger models compile but stream parameters from the host each inference (see latency).
    maxFileBytes: 128 * MB,
    maxActivationBytes: 64 * MB,
    runtimeOverheadBytes: 0,
    sparseWeights: false,
    preferredQuantization: 'int8',
    acceptedQuantizations: ['int8'],
    latency: {
      // 4 TOPS peak = 2 TMAC/s (Coral datasheet); MobileNet V1 runs in ~2.4 ms on the USB
      // Accelerator (Coral benchmarks page), ~240 GMAC/s effective: use 200 GMAC/s.
      macsPerSecond: 200e9,
      bytesPerSecond: 25e9,
      perOpOverheadMs: 0.002,
      // Input/output transfer over USB 3 and the invoke itself.
      fixedOverheadMs: 0.5,
      // "The Edge TPU has roughly 8 MB of SRAM that can cache the model's parameter data";
      // the rest streams over USB 3 (5 Gb/s link, ~320 MB/s in practice) every inference.
      onChipWeightBytes: 8 * MB,
      offChipBytesPerSecond: 320e6,
      source: 'estimate: Coral Edge TPU datasheet (4 TOPS, 8 MB parameter cache) and Coral published MobileNet benchmarks',
    },
  },
  {
    id: 'mcu-int8',
    name: 'Microcontroller (TFLite Micro), int8',
    description: 'Cortex-M4F board with 256 KB RAM and 1 MB flash (e.g. Arduino Nano 33 BLE Sense, nRF52840 at 64 MHz) running TensorFlow Lite for Microcontrollers with CMSIS-NN kernels.',
    runtime: 'tflite-micro',
    format: 'tflite',
    tensorTypes: ['int8', 'int16', 'int32'],
    requiredTensorTypes: ['int8'],
    ops: TFLITE_MICRO_OPS,
    // 1 MB flash minus ~128 KB for the firmware, TFLM runtime and kernels.
    maxFileBytes: 1 * MB - 128 * KB,
    // 256 KB RAM; the tensor arena shares it with the runtime's bookkeeping and the app.
    maxActivationBytes: 256 * KB,
    runtimeOverheadBytes: 24 * KB,
    sparseWeights: false,
    preferredQuantization: 'int8',
    acceptedQuantizations: ['int8'],
    latency: {
      // CMSIS-NN int8 conv kernels sustain ~0.3–0.5 MAC/cycle on a Cortex-M4 (SMLAD does two
      // 16-bit MACs per cycle at best; im2col and requantization eat the rest): ~20 MMAC/s at
      // 64 MHz. Consistent with TFLM's person-detection example (~7 M MACs) taking a few
      // hundred ms on this board.
      macsPerSecond: 20e6,
      // Flash reads with wait states at 64 MHz: ~100 MB/s.
      bytesPerSecond: 100e6,
      // The TFLM interpreter spends a few thousand cycles per operator.
      perOpOverheadMs: 0.05,
      fixedOverheadMs: 0.1,
      source: 'estimate: nRF52840 datasheet (64 MHz Cortex-M4F, 256 KB RAM, 1 MB flash), CMSIS-NN published kernel efficiency, TFLM person-detection example timings',
    },
  },
  {
    id: 'browser-wasm',
    name: 'Browser, TF.js WebAssembly',
    description: 'A laptop browser running the TF.js layers model on the tfjs WebAssembly backend with SIMD, single-threaded.',
    runtime: 'tfjs-wasm',
    format: 'tfjs-layers',
    // tfjs computes in float32; float16/uint8 quantized weights are dequantized at load.
    tensorTypes: ['float32', 'int32', 'float16', 'uint8'],
    ops: TFJS_WASM_OPS,
    // Policy: a model a web page can reasonably download; wasm memory tops out near 4 GB.
    maxFileBytes: 32 * MB,
    maxActivationBytes: 1024 * MB,
    runtimeOverheadBytes: 0,
    sparseWeights: false,
    preferredQuantization: 'float32',
    acceptedQuantizations: ['float32', 'float16'],
    latency: {
      // The TF.js team's SIMD announcement measured MobileNet V2 (~300 M MACs) at a few tens of
      // ms on wasm+SIMD without threads: ~8–10 GMAC/s. JS-side kernel dispatch per op ~20 µs.
      macsPerSecond: 8e9,
      bytesPerSecond: 10e9,
      perOpOverheadMs: 0.02,
      fixedOverheadMs: 0.2,
      source: 'estimate: TF.js blog "Supercharging the TensorFlow.js WebAssembly backend with SIMD and multi-threading" MobileNet timings',
    },
  },
];

/** Thrown by getTarget for an id that is not in the catalog. */
export class UnknownTargetError extends Error {
  readonly targetId: string;
  constructor(id: string) {
    super(`unknown hardware target "${id}" (known: ${TARGETS.map((t) => t.id).join(', ')})`);
    this.name = 'UnknownTargetError';
    this.targetId = id;
  }
}

/** All targets of the catalog, in a stable order (the objects are frozen). */
export function listTargets(): HardwareTarget[] {
  return TARGETS.map((t) => t);
}

/** One target by id; throws UnknownTargetError for an unknown id. */
export function getTarget(id: string): HardwareTarget {
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new UnknownTargetError(id);
  return target;
}

/** True when `id` names a catalog target. */
export function isTargetId(id: string): boolean {
  return TARGETS.some((t) => t.id === id);
}

for (const t of TARGETS) deepFreeze(t);

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const v of Object.values(value)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
}
