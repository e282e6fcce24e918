// Public API of the TFLite runtimes.
export { loadTfliteModel, type LoadedTfliteModel, type TfliteTensorInfo } from './tflite-node.ts';
export { measureHostLatency, type LatencyStats } from './latency.ts';
export { runArmNn, armNnUnavailableReason, ARMNN_DEBIAN_PACKAGES, type ArmNnResult } from './armnn.ts';
export { readTfliteIo, type TfliteIoTensor } from './tflite-io.ts';
