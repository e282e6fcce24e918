// ctx.train: the engine's training loop bound to the invocation's data, AbortSignal and
// progress reporting.
import type { PluginDataset, ProgressUpdate, TrainingHelpers, TrainingProgress } from '@condense/plugin-sdk';
import { tf } from '../../engine/backend/index.ts';
import type { Dataset } from '../../engine/data/types.ts';
import {
  accuracy, createOptimizer, distillationLoss, evaluateSplit, fit, outputsLogits, runTrainingLoop, sparseCategoricalCrossEntropy,
} from '../../engine/train/index.ts';

export interface TrainingBinding {
  data: PluginDataset | undefined;
  signal: AbortSignal;
  progress: (update: ProgressUpdate) => void;
}

export function createTrainingHelpers(binding: TrainingBinding): TrainingHelpers {
  const dataOf = (given: PluginDataset | undefined): Dataset => {
    const data = given ?? binding.data;
    if (!data) throw new Error('this invocation has no dataset: pass options.data');
    // Engine datasets and plugin datasets have the same shape; plugins cannot name the test split.
    return data as unknown as Dataset;
  };
  const forward = (candidate: string | undefined, own?: (p: TrainingProgress) => void) => (p: TrainingProgress): void => {
    binding.progress({
      step: (p.epoch - 1) * p.stepsPerEpoch + p.step,
      total: p.epochs * p.stepsPerEpoch,
      ...(Number.isFinite(p.loss) ? { loss: p.loss } : {}),
      metrics: p.metrics,
      message: `${p.phase} epoch ${p.epoch}/${p.epochs}`,
      epoch: p.epoch,
      epochs: p.epochs,
      samplesPerSecond: p.samplesPerSecond,
      etaSeconds: p.etaSeconds,
      ...(candidate ? { candidate } : {}),
    });
    own?.(p);
  };

  return {
    async fit(model, options) {
      const { data, candidate, onProgress, ...rest } = options;
      return fit(model, dataOf(data), { ...rest, signal: binding.signal, onProgress: forward(candidate, onProgress) });
    },
    async runTrainingLoop(options) {
      const { data, candidate, onProgress, ...rest } = options;
      return runTrainingLoop({ ...rest, data: dataOf(data), signal: binding.signal, onProgress: forward(candidate, onProgress) });
    },
    async evaluate(model, options = {}) {
      const { data, fromLogits, ...rest } = options;
      return evaluateSplit(model, dataOf(data), { ...rest, fromLogits: fromLogits ?? outputsLogits(model), signal: binding.signal });
    },
    createOptimizer: (spec) => createOptimizer(spec),
    losses: {
      sparseCategoricalCrossEntropy: (output, labels, fromLogits = true) => sparseCategoricalCrossEntropy(output, labels, fromLogits),
      distillation: (student, teacher, labels, options) => distillationLoss(student, teacher, labels, options),
    },
    accuracy: (output, labels) => accuracy(output, labels),
  };
}

export { tf };
