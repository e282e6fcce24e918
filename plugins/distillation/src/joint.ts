// Joint distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
// Network", arXiv 1503.02531), trained the Learn2Compress way: one teacher, several students
// ("trials": a student at one (T, α) grid point), ONE training loop. Each batch is augmented once
// (augment.ts), the teacher labels it once, and every trial still in the search takes an optimizer
// step on α·CE(labels) + (1−α)·T²·KL(teacher_T ‖ student_T) against that shared output (α = 0 on
// mixed-up batches: their only labels are the teacher's). At the end of each successive-halving
// rung (halving.ts) the weaker trials of a search group stop; after training every trial's batch
// norm is recalibrated where that does not lower its validation accuracy (recalibration.ts).
import { outputsLogits, recalibrateBatchNorm, type Batch, type LayersModel, type Optimizer, type PluginContext, type Tensor, type Variable } from '@condense/plugin-sdk';
import { augmentImages, batchRandom, type AugmentOptions } from './augment.ts';
import {
  isTeacherDerived, resolveStudent, studentGroup, studentName, trialName,
  type DistillationConfig, type GridPoint, type StudentSize, type StudentSpec,
} from './config.ts';
import { inferenceSecondsPerSample, modelCost, STEP_SECONDS, TEACHER_BATCH_SECONDS, trainingSecondsPerSample } from './cost.ts';

/** Most epochs a budget buys (beyond it, more data or a bigger student pays better). */
const MAX_EPOCHS = 60;
import { halvingRungs, halvingTrialEpochs, survivors } from './halving.ts';
import { recalibrateWhereItHelps } from './recalibration.ts';
import { scheduledLearningRate, setLearningRate } from './schedule.ts';
import { buildStudent, variablesOf, type StudentModels } from './students.ts';
import { narrowTeacher } from './teacher-derived.ts';
import { inheritChannels } from './teacher-channels.ts';
import { buildHint, disposeHint, hintLayerName, hintLoss, withFeature, type Hint } from './hints.ts';

/** What joint distillation needs from a plugin context (`model` only for the 'self' student). */
export type DistillContext = Pick<PluginContext, 'tf' | 'train' | 'data' | 'progress' | 'log' | 'signal'> & { model?: LayersModel };

export type StudentFamily = StudentModels['family'] | 'teacher-derived' | 'self';
export type BuiltStudent = StudentModels & { name: string; spec: StudentSpec; size: StudentSize };

export interface TrainedStudent {
  /** Trial name: the student's name, with `-t<T>-a<α>` when a grid was searched. */
  name: string;
  spec: StudentSpec;
  /** Generic students: the multipliers it was built with (narrowed if it outgrew the teacher). */
  size?: StudentSize;
  family: StudentFamily;
  model: LayersModel;
  params: number;
  group: string;
  temperature: number;
  alpha: number;
  /** Epochs this trial trained (fewer than its group's when successive halving stopped it). */
  epochsTrained: number;
  /** Epochs its group trains: the budget's share for the group buys more for cheaper students. */
  plannedEpochs: number;
  stoppedEarly: boolean;
  /** Its validation accuracy at each rung it reached. */
  rungAccuracies: number[];
  /** The FitNets hint it learned from (teacher layer, student layer, whether through a regressor). */
  hint?: { teacherLayer: string; studentLayer: string; regressor: boolean };
  /** A teacher-derived spec built as its generic `fallback`: why the teacher could not be narrowed. */
  fallbackReason?: string;
  /** A teacher-derived student that started from the teacher's most important channels. */
  inherited?: boolean;
}

export interface JointResult {
  students: TrainedStudent[];
  /** Wall time of the training loop alone (no model building, no validation). */
  loopSeconds: number;
  epochsCompleted: number;
  /** Epochs and samples per epoch the run planned (from the budget when one was given): the
   * teacher's epochs, the most any group trains. */
  plannedEpochs: number;
  samplesPerEpoch: number;
  /** Seconds the cost model charges for the whole plan (≤ the budget when one was given). */
  plannedSeconds: number;
  augmentation: AugmentOptions | null;
}

export type JointOptions = Pick<DistillationConfig, 'temperature' | 'alpha' | 'epochs' | 'batchSize' | 'learningRate' | 'samplesPerEpoch' | 'seed'>
  & Partial<Pick<DistillationConfig, 'learningRateSchedule' | 'grid' | 'budgetSeconds' | 'halvingEta' | 'warmup' | 'cropPadding' | 'flip' | 'mixup' | 'rotation' | 'scale' | 'recalibrationBatches' | 'hintWeight' | 'groupWeights'>>;

export { scheduledLearningRate };

/**
 * Builds the generic-family students (MobileNet-style / MLP) for the context's data, not yet
 * trained. A student with more than `maxParams` parameters is narrowed (width ×
 * √(maxParams / params), rebuilt) until it fits: a student as large as its teacher compresses nothing.
 */
export function buildStudents(ctx: Pick<DistillContext, 'tf' | 'data'>, specs: Array<'large' | 'medium' | 'small' | StudentSize>, seed: number, maxParams = Infinity): BuiltStudent[] {
  const { info } = ctx.data;
  if (info.kind !== 'tensor') throw new Error(`distillation needs a tensor dataset (numeric features); this one is '${info.kind}'`);
  const names = specs.map(studentName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`config.students lists ${dup} twice`);
  return specs.map((spec, i) => buildGeneric(ctx, spec, names[i], seed + i + 1, maxParams));
}

function buildGeneric(ctx: Pick<DistillContext, 'tf' | 'data'>, spec: 'large' | 'medium' | 'small' | StudentSize, name: string, seed: number, maxParams: number): BuiltStudent {
  const { info } = ctx.data;
  const layerName = name.replace(/[^a-zA-Z0-9_]/g, '_');
  let size = resolveStudent(spec);
  let built = buildStudent(ctx.tf, info.inputShape, info.numClasses, size, layerName, seed);
  for (let tries = 0; built.model.countParams() > maxParams && tries < 8; tries++) {
    const width = size.width * Math.sqrt(maxParams / built.model.countParams()) * 0.95;
    built.model.dispose();
    size = { ...size, width: Number(width.toPrecision(3)) };
    built = buildStudent(ctx.tf, info.inputShape, info.numClasses, size, layerName, seed);
  }
  return { ...built, name, spec, size };
}

/** Maps a batch in the data's sample shape to a model's input shape (a reshape when they differ). */
function inputAdapter(ctx: Pick<DistillContext, 'tf' | 'data'>, model: LayersModel, role: string): (xs: Tensor) => Tensor {
  const { tf } = ctx;
  const dataShape = ctx.data.info.inputShape;
  const modelShape = model.inputs[0].shape.slice(1);
  const size = (s: readonly (number | null)[]) => s.reduce<number>((a, d) => a * (d ?? 1), 1);
  const same = modelShape.length === dataShape.length && modelShape.every((d, i) => d === null || d === dataShape[i]);
  if (same) return (xs) => xs;
  if (modelShape.some((d) => d === null) || size(modelShape) !== size(dataShape)) {
    throw new Error(`the ${role}'s input shape [${modelShape.join(', ')}] does not match the data's samples [${dataShape.join(', ')}]`);
  }
  return (xs) => tf.reshape(xs, [xs.shape[0], ...(modelShape as number[])]);
}

interface Trial {
  name: string;
  spec: StudentSpec;
  size?: StudentSize;
  family: StudentFamily;
  model: LayersModel;
  /** What the loss sees (logits when the student has a logits view). */
  lossModel: LayersModel;
  fromLogits: boolean;
  toInput: (xs: Tensor) => Tensor;
  group: string;
  point: GridPoint;
  secondsPerSample: number;
  optimizer?: Optimizer;
  vars: Variable[];
  active: boolean;
  epochsTrained: number;
  /** Epochs its group trains (the budget's share for the group; the run's epochs without a budget). */
  plannedEpochs: number;
  rungAccuracies: number[];
  owned: boolean;
  /** Layer-name prefix of a teacher-derived student ('' for 'self', whose layers keep the teacher's names). */
  prefix?: string;
  fallbackReason?: string;
  /** A teacher-derived student that started from the teacher's channels. */
  inherited?: boolean;
  hint?: Hint;
  hintLayers?: { teacherLayer: string; studentLayer: string };
}

async function buildTrials(ctx: DistillContext, teacher: LayersModel, specs: StudentSpec[], grid: GridPoint[], seed: number): Promise<Trial[]> {
  const { info } = ctx.data;
  if (info.kind !== 'tensor') throw new Error(`distillation needs a tensor dataset (numeric features); this one is '${info.kind}'`);
  const names = specs.map(studentName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`config.students lists ${dup} twice`);
  const maxParams = Math.floor(teacher.countParams() / 2);
  const trials: Trial[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      for (const [g, point] of grid.entries()) {
        const name = trialName(spec, point, grid.length);
        const layerName = name.replace(/[^a-zA-Z0-9_]/g, '_');
        const studentSeed = seed + i * 31 + g + 1;
        let base: Omit<Trial, 'group' | 'point' | 'secondsPerSample' | 'vars' | 'active' | 'epochsTrained' | 'plannedEpochs' | 'rungAccuracies' | 'toInput'>;
        if (spec === 'self') {
          if (!ctx.model) throw new Error("the 'self' student needs the model this step received");
          if (grid.length > 1) throw new Error("the 'self' student trains the received model in place: it takes one grid point, not a grid");
          base = { name, spec, family: 'self', model: ctx.model, lossModel: ctx.model, fromLogits: outputsLogits(ctx.model), owned: false, prefix: '' };
        } else if (isTeacherDerived(spec)) {
          const narrowed = await narrowTeacher(ctx.tf, teacher, spec.teacherWidth, layerName, studentSeed)
            .catch((err: Error) => {
              if (!spec.fallback) throw err;
              return err;
            });
          if (narrowed instanceof Error) {
            // The teacher's graph cannot follow a width change: the generic student of the same
            // tier trains under this trial's name (the planner picks trials by name).
            const built = buildGeneric(ctx, spec.fallback!, name, studentSeed, Math.floor(teacher.countParams() * (spec.fallback!.maxParamsFraction ?? 0.5)));
            ctx.log.warn(`${name}: the teacher cannot be narrowed to width ${spec.teacherWidth} (${narrowed.message}); training the generic student ${studentName(spec.fallback!)} in its place`);
            base = { name, spec, size: built.size, family: built.family, model: built.model, lossModel: built.logits, fromLogits: true, owned: true, fallbackReason: narrowed.message };
          } else {
            const notInherited = spec.init === 'fresh' ? 'init: fresh' : inheritChannels(ctx.tf, teacher, narrowed, `${layerName}_`);
            if (notInherited && spec.init !== 'fresh') ctx.log.warn(`${name}: starts from random weights: ${notInherited}`);
            base = {
              name, spec, family: 'teacher-derived', model: narrowed, lossModel: narrowed, fromLogits: outputsLogits(narrowed), owned: true, prefix: `${layerName}_`, inherited: notInherited === null,
            };
          }
        } else {
          const limit = typeof spec === 'object' && spec.maxParamsFraction ? Math.floor(teacher.countParams() * spec.maxParamsFraction) : maxParams;
          const built = buildGeneric(ctx, spec, name, studentSeed, limit);
          base = { name, spec, size: built.size, family: built.family, model: built.model, lossModel: built.logits, fromLogits: true, owned: true };
        }
        const trial: Trial = {
          ...base, toInput: (xs) => xs, group: studentGroup(spec), point, secondsPerSample: trainingSecondsPerSample(modelCost(base.model)),
          vars: [], active: true, epochsTrained: 0, plannedEpochs: 0, rungAccuracies: [],
        };
        trials.push(trial);
        trial.toInput = inputAdapter(ctx, trial.model, `student ${name}`);
        trial.vars = variablesOf(trial.lossModel) as unknown as Variable[];
      }
    }
    return trials;
  } catch (err) {
    for (const t of trials) if (t.owned) t.model.dispose();
    throw err;
  }
}

/**
 * Epochs (and samples per epoch) the cost model allows within `budget` seconds. The teacher runs
 * `epochs` epochs (one pass per batch for every trial still training); each search group then gets
 * a share of the rest — equal, or in proportion to its `weight` (default 1; the config's
 * `groupWeights`) — and trains the epochs that share buys — at least one, at most
 * `epochs` — so a cheap group (the smallest students) trains more epochs than an expensive one
 * instead of stopping when the widest student's cost runs out (`groupEpochs`, in `groups`' order).
 * `epochs` is the most for which the shares fit and some group trains them all.
 */
export function epochsWithinBudget(
  budget: number, samples: number, teacherSecondsPerSample: number, groups: Array<{ trials: number; secondsPerSample: number; weight?: number }>, eta: number, maxEpochs = MAX_EPOCHS, batchSize = 64,
): { epochs: number; samplesPerEpoch: number; seconds: number; groupEpochs: number[] } {
  // Per sample, plus a fixed cost per batch (one teacher pass, one step per trial).
  const batches = (n: number) => Math.ceil(n / batchSize);
  const teacherEpoch = (n: number) => n * teacherSecondsPerSample + batches(n) * TEACHER_BATCH_SECONDS;
  const groupCost = (g: { trials: number; secondsPerSample: number }, epochs: number, n: number) =>
    (n * g.secondsPerSample + batches(n) * STEP_SECONDS) * (eta >= 2 ? halvingTrialEpochs(g.trials, epochs, eta) : g.trials * epochs);
  const costOf = (epochs: number, groupEpochs: number[], n: number) => epochs * teacherEpoch(n) + groups.reduce((a, g, i) => a + groupCost(g, groupEpochs[i], n), 0);
  const split = (epochs: number, n: number) => {
    const rest = budget - epochs * teacherEpoch(n);
    const weights = groups.reduce((a, g) => a + (g.weight ?? 1), 0);
    return groups.map((g) => {
      const share = (rest * (g.weight ?? 1)) / Math.max(1e-9, weights);
      let e = 1;
      while (e < epochs && groupCost(g, e + 1, n) <= share) e++;
      return e;
    });
  };
  let best: { epochs: number; groupEpochs: number[] } | null = null;
  for (let epochs = 1; epochs <= maxEpochs; epochs++) {
    const groupEpochs = split(epochs, samples);
    if (Math.max(1, ...groupEpochs) === epochs && costOf(epochs, groupEpochs, samples) <= budget) best = { epochs, groupEpochs };
  }
  if (best) return { ...best, samplesPerEpoch: samples, seconds: costOf(best.epochs, best.groupEpochs, samples) };
  const ones = groups.map(() => 1);
  const fraction = budget / costOf(1, ones, samples);
  const n = Math.max(1, Math.min(samples, Math.floor(samples * fraction)));
  return { epochs: 1, samplesPerEpoch: n, seconds: costOf(1, ones, n), groupEpochs: ones };
}

/** Teacher accuracy on up to `limit` training images, as they are and mirrored left-right. */
async function flipAgreement(ctx: DistillContext, forward: (xs: Tensor) => Tensor, limit: number): Promise<{ plain: number; mirrored: number }> {
  const { tf } = ctx;
  let plain = 0;
  let mirrored = 0;
  let n = 0;
  for await (const batch of ctx.data.batches('train', 128, { limit, shuffleSeed: 17 }) as AsyncIterable<Batch>) {
    if (!batch.x) continue;
    const [a, b] = tf.tidy(() => {
      const xs = tf.tensor(batch.x!, [batch.size, ...ctx.data.info.inputShape]);
      const ys = tf.tensor1d(batch.y, 'int32');
      const hits = (x: Tensor) => tf.sum(tf.cast(tf.equal(tf.argMax(forward(x), -1), ys), 'float32'));
      return [hits(xs), hits(tf.reverse(xs, 2))];
    });
    plain += (await a.data())[0];
    mirrored += (await b.data())[0];
    a.dispose();
    b.dispose();
    n += batch.size;
  }
  return { plain: plain / Math.max(1, n), mirrored: mirrored / Math.max(1, n) };
}

/**
 * Trains `specs` students (× the grid's points) from `teacher` in one loop over the context's
 * training data and returns them (untrained layers are disposed on failure).
 */
export async function distillJointly(ctx: DistillContext, teacher: LayersModel, specs: StudentSpec[], options: JointOptions): Promise<JointResult> {
  const { tf } = ctx;
  const { info } = ctx.data;
  const grid = options.grid && options.grid.length > 0 ? options.grid : [{ temperature: options.temperature, alpha: options.alpha }];
  const trials = await buildTrials(ctx, teacher, specs, grid, options.seed);
  const forwardInput = inputAdapter(ctx, teacher, 'teacher');
  const forward = (xs: Tensor) => teacher.apply(forwardInput(xs), { training: false }) as Tensor;
  const teacherFromLogits = outputsLogits(teacher);
  const eta = options.halvingEta ?? 0;
  /** A trial's accuracy on (the first 1,024 samples of) a split: halving's rungs and recalibration's check. */
  const heldOutAccuracy = async (t: Trial, split: 'validation' | 'train'): Promise<number> => (await ctx.train.evaluate(t.model, {
    split, limit: 1024, batchSize: 256, fromLogits: outputsLogits(t.model),
    toTensors: (b) => ({ xs: tf.tidy(() => t.toInput(tf.tensor(b.x!, [b.size, ...info.inputShape]))), ys: tf.tensor1d(b.y, 'int32') }),
  })).accuracy;
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  try {
    // FitNets hints for the students that follow the teacher's architecture (teacher-derived,
    // and the pruned teacher distilled in place): one teacher pass yields the labels and the hint.
    const hintWeight = options.hintWeight ?? 0;
    const hintName = hintWeight > 0 ? hintLayerName(teacher) : undefined;
    const teacherHint = hintName ? withFeature(tf, teacher, hintName) : undefined;
    if (hintName && teacherHint) {
      const shape = (teacherHint.outputs[1]!.shape as number[]).slice(1);
      for (const [i, t] of trials.entries()) {
        if (t.prefix === undefined || t.model === teacher) continue;
        const guided = `${t.prefix}${hintName}`;
        if (!t.lossModel.layers.some((l) => l.name === guided)) continue;
        t.hint = buildHint(tf, t.lossModel, guided, shape, options.seed * 100 + i);
        t.hintLayers = { teacherLayer: hintName, studentLayer: guided };
        if (t.hint.regressor) t.vars.push(t.hint.regressor.kernel, t.hint.regressor.bias);
      }
      const hinted = trials.filter((t) => t.hint);
      ctx.log.info(hinted.length > 0
        ? `FitNets hints (β ${hintWeight}) from teacher layer ${hintName} for ${hinted.map((t) => `${t.name}${t.hint!.regressor ? ` (1×1 regressor ${t.hint!.studentChannels}→${t.hint!.teacherChannels})` : ''}`).join(', ')}`
        : `FitNets hints: no student follows the teacher's layer ${hintName}`);
    }
    const hintedForward = teacherHint && trials.some((t) => t.hint) ? teacherHint : undefined;
    // Augmentation: images only.
    const isImage = info.inputShape.length === 3 && info.inputShape[0] > 1 && info.inputShape[1] > 1;
    let augmentation: AugmentOptions | null = null;
    if (isImage) {
      // Options left out mean no augmentation (the plugin's config schema fills its defaults).
      const padding = options.cropPadding === undefined ? 0 : options.cropPadding < 0 ? Math.floor(Math.min(info.inputShape[0], info.inputShape[1]) / 8) : options.cropPadding;
      let flip = options.flip === 'always';
      if (options.flip === 'auto') {
        const agreement = await flipAgreement(ctx, forward, 512);
        flip = agreement.mirrored >= agreement.plain - 0.02;
        ctx.log.info(`teacher accuracy ${(agreement.plain * 100).toFixed(1)}% on training images, ${(agreement.mirrored * 100).toFixed(1)}% mirrored: ${flip ? 'flipping' : 'not flipping'} images`);
      }
      augmentation = { cropPadding: padding, flip, mixup: options.mixup ?? 0, rotation: options.rotation ?? 0, scale: options.scale ?? 0 };
      if (augmentation.cropPadding === 0 && !augmentation.flip && augmentation.mixup === 0 && !augmentation.rotation && !augmentation.scale) augmentation = null;
    }

    // Epochs: given, or what the budget buys.
    const trainSamples = options.samplesPerEpoch > 0 ? Math.min(options.samplesPerEpoch, info.splits.train) : info.splits.train;
    const groupNames = [...new Set(trials.map((t) => t.group))];
    const groups = groupNames.map((g) => {
      const members = trials.filter((t) => t.group === g);
      return { name: g, members, trials: members.length, secondsPerSample: members.reduce((a, t) => a + t.secondsPerSample, 0) / members.length, weight: options.groupWeights?.[g] ?? 1 };
    });
    const teacherSeconds = inferenceSecondsPerSample(modelCost(teacher));
    const plan = (options.budgetSeconds ?? 0) > 0
      ? epochsWithinBudget(options.budgetSeconds!, trainSamples, teacherSeconds, groups, eta, MAX_EPOCHS, options.batchSize)
      : { epochs: options.epochs, samplesPerEpoch: trainSamples, seconds: epochsWithinBudget(Infinity, trainSamples, teacherSeconds, groups, eta, options.epochs, options.batchSize).seconds, groupEpochs: groups.map(() => options.epochs) };
    groups.forEach((g, i) => { for (const t of g.members) t.plannedEpochs = plan.groupEpochs[i]; });
    const rungs = new Map(groups.map((g, i) => [g.name, eta >= 2 ? halvingRungs(g.trials, plan.groupEpochs[i], eta) : []]));
    const budgetNote = (options.budgetSeconds ?? 0) > 0 ? ` within a ${options.budgetSeconds} s budget` : '';
    const perGroup = plan.groupEpochs.some((e) => e !== plan.epochs) ? ` (per group: ${groups.map((g, i) => `${g.name} ${plan.groupEpochs[i]}`).join(', ')})` : '';
    ctx.log.info(`distilling ${trials.length} trial(s) in ${groups.length} group(s) for ${plan.epochs} epoch(s)${perGroup} of ${plan.samplesPerEpoch} samples${budgetNote} (cost model: ${plan.seconds.toFixed(0)} s)`);

    for (const t of trials) t.optimizer = tf.train.adam(options.learningRate);
    const started = performance.now();
    let chargedSeconds = 0;
    const result = await ctx.train.runTrainingLoop({
      epochs: plan.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
      phase: 'distill',
      limit: plan.samplesPerEpoch,
      step: ({ xs, ys, batch, globalStep, totalSteps }) => {
        // Each trial follows its own schedule over its group's epochs and stops after them.
        const stepsPerEpoch = totalSteps / plan.epochs;
        const active = trials.filter((t) => t.active && globalStep < t.plannedEpochs * stepsPerEpoch);
        for (const t of active) {
          setLearningRate(t.optimizer!, scheduledLearningRate(options.learningRate, options.learningRateSchedule, globalStep, Math.round(t.plannedEpochs * stepsPerEpoch), options.warmup ?? 0));
        }
        let input = xs;
        let mixed = false;
        if (augmentation && batch.x) {
          const a = augmentImages(batch.x, batch.size, info.inputShape, augmentation, batchRandom(options.seed, globalStep));
          input = tf.tensor(a.x, xs.shape);
          mixed = a.mixed !== undefined;
        }
        // The teacher labels the (augmented) batch once; every student learns from that output
        // (and the hinted ones from its hint layer's output too).
        const useHints = hintedForward !== undefined && active.some((t) => t.hint);
        const [teacherOut, teacherFeature] = useHints
          ? tf.tidy(() => hintedForward.apply(forwardInput(input), { training: false }) as Tensor[])
          : [tf.tidy(() => forward(input)), undefined];
        try {
          const losses = active.map((t) => t.optimizer!.minimize(() => {
            const kd = (out: Tensor) => ctx.train.losses.distillation(out, teacherOut!, ys, {
              temperature: t.point.temperature, alpha: mixed ? 0 : t.point.alpha, studentFromLogits: t.fromLogits, teacherFromLogits,
            });
            if (t.hint && teacherFeature) {
              const [out, feature] = t.hint.model.apply(t.toInput(input), { training: true }) as Tensor[];
              return tf.add(kd(out!), hintLoss(tf, t.hint, feature!, teacherFeature, hintWeight));
            }
            return kd(t.lossModel.apply(t.toInput(input), { training: true }) as Tensor);
          }, true, t.vars) as Tensor);
          chargedSeconds += batch.size * (teacherSeconds + active.reduce((a, t) => a + t.secondsPerSample, 0)) + TEACHER_BATCH_SECONDS + active.length * STEP_SECONDS;
          return { loss: losses.length > 0 ? tf.addN(losses) : tf.scalar(0) };
        } finally {
          teacherOut!.dispose();
          teacherFeature?.dispose();
          if (input !== xs) input.dispose();
        }
      },
      onEpochEnd: async ({ epoch }) => {
        for (const t of trials) if (t.active && epoch <= t.plannedEpochs) t.epochsTrained = epoch;
        ctx.progress({
          step: epoch, total: plan.epochs, epoch, epochs: plan.epochs,
          message: `budget: ${chargedSeconds.toFixed(0)} of ${(options.budgetSeconds || plan.seconds).toFixed(0)} s spent (cost model), ${((performance.now() - started) / 1000).toFixed(0)} s wall`,
          metrics: { budgetSeconds: options.budgetSeconds ?? 0, budgetUsedSeconds: chargedSeconds, plannedSeconds: plan.seconds },
        });
        for (const g of groups) {
          const rung = rungs.get(g.name)!.find((r) => r.epoch === epoch);
          if (!rung) continue;
          const alive = g.members.filter((t) => t.active);
          const scores: number[] = [];
          for (const t of alive) {
            const accuracy = await heldOutAccuracy(t, info.splits.validation > 0 ? 'validation' : 'train');
            t.rungAccuracies.push(accuracy);
            scores.push(accuracy);
          }
          const keep = new Set(survivors(scores, rung.keep).map((i) => alive[i]));
          for (const t of alive) {
            if (!keep.has(t)) {
              t.active = false;
              t.optimizer?.dispose();
              t.optimizer = undefined;
            }
          }
          ctx.log.info(`successive halving, group ${g.name}, epoch ${epoch}: kept ${[...keep].map((t) => t.name).join(', ')}; stopped ${alive.filter((t) => !keep.has(t)).map((t) => t.name).join(', ') || 'none'}`);
        }
      },
    });
    const loopSeconds = (performance.now() - started) / 1000;
    for (const t of trials) {
      if (!options.recalibrationBatches || options.recalibrationBatches <= 0) continue;
      const recalibration = { batches: options.recalibrationBatches, batchSize: Math.max(32, options.batchSize), seed: options.seed, toInput: t.toInput };
      // With a validation split the recalibrated statistics stay only where they do not score lower.
      if (info.splits.validation > 0) {
        const outcome = await recalibrateWhereItHelps(ctx, t.model, recalibration, () => heldOutAccuracy(t, 'validation'));
        if (outcome) ctx.log.info(`${t.name}: batch norm recalibrated, validation ${pct(outcome.before)} → ${pct(outcome.after)}: ${outcome.kept ? 'kept' : 'the moving statistics kept'}`);
      } else await recalibrateBatchNorm(ctx, t.model, recalibration);
    }
    return {
      students: trials.map((t) => ({
        name: t.name, spec: t.spec, ...(t.size ? { size: t.size } : {}), family: t.family, model: t.model, params: t.model.countParams(), group: t.group,
        temperature: t.point.temperature, alpha: t.point.alpha, epochsTrained: t.epochsTrained, plannedEpochs: t.plannedEpochs,
        stoppedEarly: t.epochsTrained < Math.min(t.plannedEpochs, result.epochsCompleted),
        rungAccuracies: t.rungAccuracies,
        ...(t.hint && t.hintLayers ? { hint: { ...t.hintLayers, regressor: t.hint.regressor !== undefined } } : {}),
        ...(t.fallbackReason ? { fallbackReason: t.fallbackReason } : {}),
        ...(t.inherited !== undefined ? { inherited: t.inherited } : {}),
      })),
      loopSeconds,
      epochsCompleted: result.epochsCompleted,
      plannedEpochs: plan.epochs,
      samplesPerEpoch: plan.samplesPerEpoch,
      plannedSeconds: plan.seconds,
      augmentation,
    };
  } catch (err) {
    for (const t of trials) if (t.owned) t.model.dispose();
    throw err;
  } finally {
    for (const t of trials) {
      t.optimizer?.dispose();
      disposeHint(t.hint);
    }
  }
}

export interface JointVsSingleTiming {
  /** Loop wall time training every student of `specs` together. */
  jointSeconds: number;
  /** Loop wall time training only the largest of them, same epochs and data. */
  singleSeconds: number;
  /** jointSeconds / singleSeconds (Learn2Compress reports about 1.1 for three students). */
  ratio: number;
  largest: string;
}

/**
 * Times joint distillation of all `specs` against distilling the largest student alone, with the
 * same options. A few untimed warm-up batches run first so neither side pays kernel start-up.
 */
export async function timeJointVsSingle(ctx: DistillContext, teacher: LayersModel, specs: Array<'large' | 'medium' | 'small' | StudentSize>, options: JointOptions): Promise<JointVsSingleTiming> {
  const probe = buildStudents(ctx, specs, options.seed, Math.floor(teacher.countParams() / 2));
  const sizes = probe.map((s) => s.model.countParams());
  for (const s of probe) s.model.dispose();
  const largest = specs[sizes.indexOf(Math.max(...sizes))];
  const warm = await distillJointly(ctx, teacher, specs, { ...options, epochs: 1, samplesPerEpoch: options.batchSize * 4 });
  for (const s of warm.students) s.model.dispose();

  const joint = await distillJointly(ctx, teacher, specs, options);
  for (const s of joint.students) s.model.dispose();
  const single = await distillJointly(ctx, teacher, [largest], options);
  for (const s of single.students) s.model.dispose();
  return { jointSeconds: joint.loopSeconds, singleSeconds: single.loopSeconds, ratio: joint.loopSeconds / single.loopSeconds, largest: studentName(largest) };
}
