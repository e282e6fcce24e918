// @condense/plugin-sdk: the contract between Condense and its compression-technique plugins.
export { SDK_VERSION } from './version.ts';
export { definePlugin, type Plugin, type PluginHooks } from './plugin.ts';
export { HOST_LAYERS } from './layers.ts';
export type {
  LayerRegistry, TfliteGraph, TfliteLayerConversion, TfliteLayerConverter, TfliteLayerWeight, TfliteOpOptions,
} from './layers.ts';
export { PLUGIN_KINDS, type JsonSchema, type PluginKind, type PluginManifest } from './manifest.ts';
export { TARGET_IDS, isTargetId, type TargetId } from './targets.ts';
export {
  ACTIVATION_RANGES_VERSION, EXPORT_QUANTIZATIONS, type ActivationRanges, type CandidateModel, type ExportHints, type ExportQuantization,
  type ValueRange,
} from './candidate.ts';
export type {
  ExportEvaluateOptions, ExportEvaluation, ExportHelpers, PluginContext, PluginLogger, ProgressUpdate, TargetInfo,
} from './context.ts';
export type { Batch, BatchOptions, DatasetInfo, PluginDataset, PluginSplit } from './data.ts';
export type {
  DistillationLossOptions, EarlyStoppingOptions, EvaluateOptions, FitOptions, OptimizerName, OptimizerSpec, StepContext,
  StepResult, TrainingHelpers, TrainingLoopOptions, TrainingProgress, TrainingResult,
} from './training.ts';
export type {
  Layer, LayersModel, LayerVariable, NamedTensorMap, Optimizer, Scalar, SymbolicTensor, Tensor, Tf, Variable,
} from './tf.ts';
// Runtime helpers (since 1.1.0): they take the host's tfjs / context as arguments, so the SDK
// still loads no tfjs of its own.
export { cloneModel } from './helpers/clone-model.ts';
export { outputsLogits } from './helpers/output-kind.ts';
export { findWeight, weightRole } from './helpers/weights.ts';
export { fineTune, type FineTuneOptions } from './helpers/fine-tune.ts';
export { seededRandom } from './helpers/random.ts';
// Batch-norm recalibration (since 1.6.0).
export { recalibrateBatchNorm, batchNormLayers } from './helpers/batchnorm-recalibration.ts';
// Text featurisation and LSH projection (since 1.4.0): what a text plugin trains on and an app
// runs before the exported model.
export {
  DEFAULT_TEXT_FEATURIZER, checkFeaturizerConfig, describeTextPreprocessing, featurizeTextInto, featurizeTexts, ngramCounts,
  normalizeText, fingerprint64, fingerprint64AsDouble, fingerprint64Key8, MAX_PROJECTION_BITS, float32Bits, lshProjectDense,
  lshProjectDenseJs, lshSeeds, lshProjectBatch, type LshInputMode, type LshProjectionSpec, type TextFeaturizerConfig,
  LSH_PROJECTION_CLASS, lshProjectionLayerClass, type LshProjectionLayerArgs,
} from './text/index.ts';
