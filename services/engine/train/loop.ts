// The generic training loop: streams a Dataset split in batches, uploads each batch once,
// calls a caller-supplied step (which may update several models), averages what the step
// returns on the device, reports progress every N steps, checkpoints, resumes, early-stops
// and honours an AbortSignal between batches.
import { tf } from '../backend/index.ts';
import type { Batch, Dataset, Split } from '../data/types.ts';
import { abortError } from './abort.ts';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointOptions, type LoopPosition } from './checkpoint.ts';
import { updateEarlyStopping } from './early_stopping.ts';
import { SeededRandom, epochShuffleSeed } from './rng.ts';
import type {
  EarlyStoppingOptions, EpochSummary, StepContext, StepResult, TrainingProgress, TrainingResult,
} from './types.ts';

export interface BatchTensors { xs: tf.Tensor; ys: tf.Tensor }

export interface TrainingLoopOptions {
  data: Dataset;
  /** Split to train on (default 'train'). */
  split?: Split;
  epochs: number;
  batchSize: number;
  step: (ctx: StepContext) => StepResult | Promise<StepResult>;
  /** Featurizes a batch (required for text datasets); default uploads `x` with the dataset's input shape. */
  toTensors?: (batch: Batch) => BatchTensors;
  onProgress?: (progress: TrainingProgress) => void;
  /** Report (and read values back) every N batches; default 20. */
  progressEvery?: number;
  signal?: AbortSignal;
  checkpoint?: CheckpointOptions;
  /** Seeds the per-epoch shuffle and the step RNG (default 0). */
  seed?: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** At most this many samples per epoch. */
  limit?: number;
  /** Runs after each epoch; its values join the epoch's metrics (name them e.g. `val_loss`). */
  validate?: (epoch: number) => Record<string, number> | Promise<Record<string, number>>;
  earlyStopping?: EarlyStoppingOptions;
  onEpochEnd?: (summary: EpochSummary & { improved: boolean }) => void | Promise<void>;
  /** Label carried by progress events (default 'train'). */
  phase?: string;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

function freshPosition(seed: number): LoopPosition {
  return {
    epoch: 0, step: 0, globalStep: 0, rngState: seed >>> 0, sums: {}, sumSteps: 0, history: [],
    early: { best: null, bestEpoch: null, wait: 0 }, stopped: false,
  };
}

/** Running sums of step values: tensors stay on the device until read. */
class EpochSums {
  private tensors = new Map<string, tf.Tensor>();
  private numbers = new Map<string, number>();
  steps = 0;

  constructor(restored: Record<string, number> = {}, steps = 0) {
    for (const [k, v] of Object.entries(restored)) this.numbers.set(k, v);
    this.steps = steps;
  }

  add(result: StepResult): void {
    this.steps += 1;
    if (!result) return;
    for (const [key, value] of Object.entries(result)) {
      if (typeof value === 'number') {
        this.numbers.set(key, (this.numbers.get(key) ?? 0) + value);
        continue;
      }
      if (value.size !== 1) {
        value.dispose();
        throw new Error(`step value '${key}' must be a scalar, got shape [${value.shape}]`);
      }
      const prev = this.tensors.get(key);
      this.tensors.set(key, prev ? tf.tidy(() => tf.add(prev, tf.reshape(value, []))) : tf.reshape(value, []));
      prev?.dispose();
      value.dispose();
    }
  }

  totals(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.numbers);
    for (const [key, t] of this.tensors) out[key] = (out[key] ?? 0) + t.dataSync()[0];
    return out;
  }

  means(): Record<string, number> {
    const totals = this.totals();
    return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / Math.max(1, this.steps)]));
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}

export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingResult> {
  const { data, step, signal, checkpoint, earlyStopping, onProgress } = options;
  const epochs = positiveInt(options.epochs, 'epochs');
  const batchSize = positiveInt(options.batchSize, 'batchSize');
  const progressEvery = positiveInt(options.progressEvery ?? 20, 'progressEvery');
  const split = options.split ?? 'train';
  const seed = options.seed ?? 0;
  const phase = options.phase ?? 'train';
  const info = data.info;
  if (info.kind === 'text' && !options.toTensors) {
    throw new Error('text datasets need a toTensors(batch) option that featurizes batch.texts');
  }
  const available = info.splits[split] ?? 0;
  const samplesPerEpoch = Math.min(available, options.limit ?? Infinity);
  if (samplesPerEpoch < 1) throw new Error(`the '${split}' split holds no samples to train on`);
  const stepsPerEpoch = Math.ceil(samplesPerEpoch / batchSize);
  if (checkpoint?.everySteps !== undefined) positiveInt(checkpoint.everySteps, 'checkpoint.everySteps');

  const toTensors = options.toTensors ?? ((batch: Batch): BatchTensors => {
    if (!batch.x) throw new Error('batch has no feature array x; pass toTensors to featurize it');
    return { xs: tf.tensor(batch.x, [batch.size, ...info.inputShape], 'float32'), ys: tf.tensor1d(batch.y, 'int32') };
  });

  let pos = freshPosition(seed);
  let resumedFrom: TrainingResult['resumedFrom'];
  if (checkpoint && (checkpoint.resume ?? true) && hasCheckpoint(checkpoint.dir)) {
    pos = await loadCheckpoint(checkpoint);
    resumedFrom = { epoch: pos.epoch, step: pos.step };
  }
  const rng = new SeededRandom(pos.rngState);
  const save = async (sums: EpochSums): Promise<void> => {
    if (!checkpoint) return;
    pos.rngState = rng.state;
    pos.sums = sums.totals();
    pos.sumSteps = sums.steps;
    await saveCheckpoint(checkpoint, pos);
  };

  const started = performance.now();
  let stepsThisRun = 0;
  let samplesThisRun = 0;
  const report = (sums: EpochSums, epochEnd: boolean, extra: Record<string, number> = {}): void => {
    if (!onProgress) return;
    const seconds = (performance.now() - started) / 1000;
    const means = { ...sums.means(), ...extra };
    const { loss, ...metrics } = means;
    const remaining = (epochs - pos.epoch - 1) * stepsPerEpoch + (stepsPerEpoch - pos.step);
    onProgress({
      phase, epoch: pos.epoch + 1, epochs, step: pos.step, stepsPerEpoch,
      samplesPerSecond: seconds > 0 ? samplesThisRun / seconds : 0,
      loss: loss ?? Number.NaN, metrics,
      etaSeconds: stepsThisRun > 0 ? (remaining * seconds) / stepsThisRun : Number.NaN,
      epochEnd,
    });
  };

  while (pos.epoch < epochs && !pos.stopped) {
    const sums = new EpochSums(pos.sums, pos.sumSteps);
    try {
      let index = 0;
      const batches = data.batches(split, batchSize, {
        shuffleSeed: options.shuffle === false ? undefined : epochShuffleSeed(seed, pos.epoch),
        limit: options.limit,
      });
      for await (const batch of batches) {
        if (index++ < pos.step) continue; // resuming: these batches were done before the checkpoint
        if (signal?.aborted) {
          await save(sums);
          throw abortError(signal);
        }
        const { xs, ys } = toTensors(batch);
        let result: StepResult;
        try {
          result = await step({ xs, ys, batch, epoch: pos.epoch, step: pos.step, globalStep: pos.globalStep, totalSteps: epochs * stepsPerEpoch, random: rng.next });
        } finally {
          xs.dispose();
          ys.dispose();
        }
        sums.add(result);
        pos.step += 1;
        pos.globalStep += 1;
        stepsThisRun += 1;
        samplesThisRun += batch.size;
        if (pos.step % progressEvery === 0 && pos.step < stepsPerEpoch) report(sums, false);
        if (checkpoint?.everySteps && pos.globalStep % checkpoint.everySteps === 0) await save(sums);
      }
      if (signal?.aborted) {
        await save(sums);
        throw abortError(signal);
      }
      const metrics = sums.means();
      Object.assign(metrics, options.validate ? await options.validate(pos.epoch) : {});
      const summary: EpochSummary = { epoch: pos.epoch + 1, metrics };
      pos.history.push(summary);
      let improved = true;
      if (earlyStopping) {
        const verdict = updateEarlyStopping(earlyStopping, pos.early, pos.epoch + 1, metrics);
        improved = verdict.improved;
        pos.stopped = verdict.stop;
      }
      await options.onEpochEnd?.({ ...summary, improved });
      report(new EpochSums(), true, metrics);
      pos.epoch += 1;
      pos.step = 0;
      sums.dispose();
      await save(new EpochSums());
    } finally {
      sums.dispose();
    }
  }

  return {
    history: pos.history,
    epochsCompleted: pos.history.length,
    stoppedEarly: pos.stopped && pos.epoch < epochs,
    bestEpoch: earlyStopping ? pos.early.bestEpoch ?? undefined : undefined,
    resumedFrom,
  };
}
