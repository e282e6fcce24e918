// Public API of the training engine.
export { runTrainingLoop, type TrainingLoopOptions, type BatchTensors } from './loop.ts';
export { fit, trainableVariables, type FitOptions } from './fit.ts';
export { outputsLogits, isSigmoidBinary, lastActivation } from './output-kind.ts';
export { evaluateSplit, type EvaluateSplitOptions } from './evaluate_split.ts';
export { createOptimizer, type OptimizerName, type OptimizerSpec } from './optimizers.ts';
export { sparseCategoricalCrossEntropy, distillationLoss, logProbabilities, classLogProbabilities, type DistillationOptions } from './losses.ts';
export { accuracy } from './metrics.ts';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint, checkpointPath, type CheckpointOptions, type LoopPosition } from './checkpoint.ts';
export { abortError, isAbortError } from './abort.ts';
export { SeededRandom } from './rng.ts';
export { shard, barrier } from './data-parallel.ts';
export type {
  StepContext, StepResult, TrainingProgress, EarlyStoppingOptions, EpochSummary, TrainingResult,
} from './types.ts';
