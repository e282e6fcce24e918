// Joint distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
// Network", arXiv 1503.02531), trained the Learn2Compress way: one teacher, several students of
// different sizes, ONE training loop. Each batch runs the teacher's forward pass once and every
// student takes an optimizer step on α·CE(labels) + (1−α)·T²·KL(teacher_T ‖ student_T) against
// that shared output, so adding a student costs only its own forward and backward pass.
import { outputsLogits, type LayersModel, type Optimizer, type PluginContext, type Tensor } from '@condense/plugin-sdk';
import { resolveStudent, studentName, type DistillationConfig, type StudentSize, type StudentSpec } from './config.ts';
import { buildStudent, variablesOf, type StudentModels } from './students.ts';

/** What joint distillation needs from a plugin context. */
export type DistillContext = Pick<PluginContext, 'tf' | 'train' | 'data' | 'progress' | 'log' | 'signal'>;

export type BuiltStudent = StudentModels & { name: string; spec: StudentSpec; size: StudentSize };

export interface TrainedStudent {
  name: string;
  spec: StudentSpec;
  /** The multipliers it was built with: the spec's, narrowed if it outgrew the teacher. */
  size: StudentSize;
  family: StudentModels['family'];
  model: LayersModel;
  params: number;
}

export interface JointResult {
  students: TrainedStudent[];
  /** Wall time of the training loop alone (no model building, no validation). */
  loopSeconds: number;
  epochsCompleted: number;
}

export type JointOptions = Pick<DistillationConfig, 'temperature' | 'alpha' | 'epochs' | 'batchSize' | 'learningRate' | 'samplesPerEpoch' | 'seed'>
  & Partial<Pick<DistillationConfig, 'learningRateSchedule'>>;

/** Learning rate at `step` of `total` steps: constant, or a half cosine from `base` down to 0. */
export function scheduledLearningRate(base: number, schedule: JointOptions['learningRateSchedule'], step: number, total: number): number {
  if (schedule !== 'cosine' || total <= 1) return base;
  return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(step, total) / total));
}

/** tfjs optimizers read `learningRate` on every step but only SGD exposes a setter. */
function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/**
 * Builds the students for the context's data (not yet trained). A student with more than
 * `maxParams` parameters is narrowed (width × √(maxParams / params), rebuilt) until it fits: a
 * student as large as its teacher compresses nothing.
 */
export function buildStudents(ctx: DistillContext, specs: StudentSpec[], seed: number, maxParams = Infinity): BuiltStudent[] {
  const { info } = ctx.data;
  if (info.kind !== 'tensor') throw new Error(`distillation needs a tensor dataset (numeric features); this one is '${info.kind}'`);
  const names = specs.map(studentName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`config.students lists ${dup} twice`);
  return specs.map((spec, i) => {
    const layerName = names[i].replace(/[^a-zA-Z0-9_]/g, '_');
    let size = resolveStudent(spec);
    let built = buildStudent(ctx.tf, info.inputShape, info.numClasses, size, layerName, seed + i + 1);
    for (let tries = 0; built.model.countParams() > maxParams && tries < 8; tries++) {
      const width = size.width * Math.sqrt(maxParams / built.model.countParams()) * 0.95;
      built.model.dispose();
      size = { ...size, width: Number(width.toPrecision(3)) };
      built = buildStudent(ctx.tf, info.inputShape, info.numClasses, size, layerName, seed + i + 1);
    }
    return { ...built, name: names[i], spec, size };
  });
}

/** A function giving the teacher's output for a batch laid out in the data's input shape. */
function teacherForward(ctx: DistillContext, teacher: LayersModel): (xs: Tensor) => Tensor {
  const { tf } = ctx;
  const dataShape = ctx.data.info.inputShape;
  const teacherShape = teacher.inputs[0].shape.slice(1);
  const size = (s: readonly (number | null)[]) => s.reduce<number>((a, d) => a * (d ?? 1), 1);
  const same = teacherShape.length === dataShape.length && teacherShape.every((d, i) => d === null || d === dataShape[i]);
  if (!same && (teacherShape.some((d) => d === null) || size(teacherShape) !== size(dataShape))) {
    throw new Error(`the teacher's input shape [${teacherShape.join(', ')}] does not match the data's samples [${dataShape.join(', ')}]`);
  }
  return (xs) => {
    const input = same ? xs : tf.reshape(xs, [xs.shape[0], ...(teacherShape as number[])]);
    return teacher.apply(input, { training: false }) as Tensor;
  };
}

/**
 * Trains `specs` students from `teacher` in one loop over the context's training data and
 * returns them (untrained layers are disposed on failure).
 */
export async function distillJointly(ctx: DistillContext, teacher: LayersModel, specs: StudentSpec[], options: JointOptions): Promise<JointResult> {
  const { tf } = ctx;
  // Students keep to at most half the teacher's parameters.
  const built = buildStudents(ctx, specs, options.seed, Math.floor(teacher.countParams() / 2));
  const optimizers: Optimizer[] = built.map(() => tf.train.adam(options.learningRate));
  const vars = built.map((s) => variablesOf(s.logits));
  const forward = teacherForward(ctx, teacher);
  const teacherFromLogits = outputsLogits(teacher);
  const lossOptions = { temperature: options.temperature, alpha: options.alpha, studentFromLogits: true, teacherFromLogits };
  let loopSeconds = 0;
  try {
    const started = performance.now();
    const result = await ctx.train.runTrainingLoop({
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
      phase: 'distill',
      ...(options.samplesPerEpoch > 0 ? { limit: options.samplesPerEpoch } : {}),
      step: ({ xs, ys, globalStep, totalSteps }) => {
        const learningRate = scheduledLearningRate(options.learningRate, options.learningRateSchedule, globalStep, totalSteps);
        for (const optimizer of optimizers) setLearningRate(optimizer, learningRate);
        // The teacher runs once per batch; its output is shared by every student's loss.
        const teacherOut = tf.tidy(() => forward(xs));
        try {
          const losses = built.map((student, i) => optimizers[i].minimize(() => {
            const out = student.logits.apply(xs, { training: true }) as Tensor;
            return ctx.train.losses.distillation(out, teacherOut, ys, lossOptions);
          }, true, vars[i]) as Tensor);
          // The loop sums and disposes what the step returns.
          const values: Record<string, Tensor> = { loss: tf.addN(losses) };
          built.forEach((student, i) => { values[`loss_${student.name}`] = losses[i]; });
          return values;
        } finally {
          teacherOut.dispose();
        }
      },
    });
    loopSeconds = (performance.now() - started) / 1000;
    return {
      students: built.map((s) => ({ name: s.name, spec: s.spec, size: s.size, family: s.family, model: s.model, params: s.model.countParams() })),
      loopSeconds,
      epochsCompleted: result.epochsCompleted,
    };
  } catch (err) {
    for (const s of built) s.model.dispose();
    throw err;
  } finally {
    for (const o of optimizers) o.dispose();
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
export async function timeJointVsSingle(ctx: DistillContext, teacher: LayersModel, specs: StudentSpec[], options: JointOptions): Promise<JointVsSingleTiming> {
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
