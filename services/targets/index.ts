// Hardware-target catalog: what each on-device target accepts and what running there costs.
export { CATALOG_VERSION, getTarget, isTargetId, listTargets, UnknownTargetError } from './catalog.ts';
export { checkTargetFit } from './fit.ts';
export { estimateLatency, estimateLatencyMs, type LatencyBreakdown } from './latency.ts';
export { EDGETPU_OPS, GPU_DELEGATE_OPS, TFJS_WASM_OPS, TFLITE_BUILTIN_OPS, TFLITE_MICRO_OPS } from './ops.ts';
export type {
  ExportQuantization, FitFailure, FitOptions, FitResult, FitRule, HardwareTarget, LatencyCostModel, TargetArtifact, TensorTypeName,
} from './types.ts';
export { ARCHITECTURE_CHANGING_PLUGINS, preflightRefusal, targetPreflight, type TargetPreflight } from './preflight.ts';
