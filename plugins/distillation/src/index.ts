// @condense/plugin-distillation: knowledge distillation (Hinton et al. 2015) of several students
// of different sizes trained jointly from one teacher, as in Learn2Compress — generic
// MobileNet-style students, students derived from the teacher's own architecture, or the model
// the step receives (the structurally pruned teacher: prune, then distill) — with augmentation,
// a (T, α) grid and successive halving of the weaker trials, within a time budget.
import { definePlugin, type CandidateModel, TARGET_IDS } from '@condense/plugin-sdk';
import { configSchema, type DistillationConfig } from './config.ts';
import { distillJointly, type TrainedStudent } from './joint.ts';

function describe(student: TrainedStudent): string {
  switch (student.family) {
    case 'self': return `The model this step received (${student.params} parameters), distilled from the teacher`;
    case 'teacher-derived': return `The teacher's architecture at width ×${(student.spec as { teacherWidth: number }).teacherWidth} (${student.params} parameters), ${student.inherited ? "starting from the teacher's channels of largest L1 norm (width pruning)," : 'freshly initialised'} and distilled`;
    case 'mobilenet': return `MobileNet-style depthwise-separable CNN student (${sizeText(student)}) distilled from the teacher`;
    case 'cnn': return `Plain CNN student (3×3 convolution + max-pool stages, ${sizeText(student)}) distilled from the teacher`;
    default: return `MLP student (width ×${student.size!.width}, depth ×${student.size!.depth}, ${student.params} parameters) distilled from the teacher`;
  }
}

/** "width ×w, depth ×d[, resolution ×r], N parameters" of an image student. */
function sizeText(student: TrainedStudent): string {
  const size = student.size!;
  const resolution = (size.resolution ?? 1) !== 1 ? `, resolution ×${size.resolution}` : '';
  return `width ×${size.width}, depth ×${size.depth}${resolution}, ${student.params} parameters`;
}

export default definePlugin<DistillationConfig>({
  manifest: {
    name: 'distillation',
    version: '2.4.0',
    sdk: '^1.6.0',
    kind: 'distillation',
    summary: 'Knowledge distillation: one teacher trains several students (MobileNet-style, plain CNN, teacher-derived, or the pruned teacher) jointly, with augmentation and successive halving, within a budget.',
    // Students are ordinary dense/conv models: every target runs them (the planner picks sizes).
    hardwareTargets: [...TARGET_IDS],
    configSchema,
  },
  hooks: {
    async compress(ctx, config) {
      // Without a separate teacher, the model being compressed teaches its own smaller students.
      const teacher = ctx.teacher ?? ctx.model;
      const joint = await distillJointly({ ...ctx, model: ctx.model }, teacher, config.students, config);
      const candidates: CandidateModel[] = [];
      const others = joint.students.length - 1;
      for (const student of joint.students) {
        const validation = ctx.data.info.splits.validation > 0 ? await ctx.train.evaluate(student.model, { split: 'validation', batchSize: 256 }).catch(() => undefined) : undefined;
        const asked = student.family === 'mobilenet' || student.family === 'cnn' || student.family === 'mlp' ? (typeof student.spec === 'string' ? undefined : (student.spec as { width: number }).width) : undefined;
        const narrowed = asked !== undefined && student.size && student.size.width !== asked ? ` Narrowed from width ×${asked} to stay under half the teacher's parameters.` : '';
        const halving = student.stoppedEarly
          ? ` Successive halving stopped it after ${student.epochsTrained} of ${student.plannedEpochs} epoch(s) (validation accuracy ${student.rungAccuracies.map((a) => `${(a * 100).toFixed(1)}%`).join(' → ')} in group ${student.group}).`
          : '';
        const aug = joint.augmentation
          ? ` Augmentation: crops with ${joint.augmentation.cropPadding}-pixel padding${joint.augmentation.flip ? ', horizontal flips' : ''}${joint.augmentation.rotation ? `, rotations up to ${joint.augmentation.rotation}°` : ''}${joint.augmentation.scale ? `, scaling up to ±${Math.round(joint.augmentation.scale * 100)}%` : ''}${joint.augmentation.mixup > 0 ? `, mixup on ${Math.round(joint.augmentation.mixup * 100)}% of batches` : ''}.`
          : '';
        const hint = student.hint
          ? ` FitNets hint: its layer ${student.hint.studentLayer} learned the teacher's ${student.hint.teacherLayer}${student.hint.regressor ? ' through a 1×1 regressor' : ''} (β ${config.hintWeight}).`
          : '';
        const fallback = student.fallbackReason
          ? ` In place of the teacher at width ×${(student.spec as { teacherWidth: number }).teacherWidth}: the teacher's architecture cannot be narrowed (${student.fallbackReason}).`
          : '';
        candidates.push({
          name: student.name,
          model: student.model,
          notes: `${describe(student)} for ${student.epochsTrained} epoch(s) at T=${student.temperature}, α=${student.alpha}${others > 0 ? `, jointly with ${others} other trial(s)` : ''}.${fallback}${narrowed}${halving}${aug}${hint}`,
          metrics: {
            params: student.params,
            ...(validation ? { validationAccuracy: validation.accuracy } : {}),
            epochsTrained: student.epochsTrained,
            stoppedEarly: student.stoppedEarly ? 1 : 0,
            temperature: student.temperature,
            alpha: student.alpha,
            jointLoopSeconds: joint.loopSeconds,
            plannedSeconds: joint.plannedSeconds,
            budgetSeconds: config.budgetSeconds,
            studentsTrainedJointly: joint.students.length,
          },
        });
      }
      return candidates;
    },
  },
});

export { configSchema, isTeacherDerived, resolveStudent, studentGroup, studentName, trialName, STUDENT_PRESETS } from './config.ts';
export type { DistillationConfig, GridPoint, StudentPreset, StudentSize, StudentSpec, TeacherDerivedSpec } from './config.ts';
export { buildStudents, distillJointly, epochsWithinBudget, scheduledLearningRate, timeJointVsSingle } from './joint.ts';
export type { BuiltStudent, DistillContext, JointOptions, JointResult, JointVsSingleTiming, StudentFamily, TrainedStudent } from './joint.ts';
export { buildStudent } from './students.ts';
export { augmentImages, batchRandom, type AugmentOptions, type AugmentedBatch } from './augment.ts';
export { recalibrateBatchNorm, batchNormLayers } from '@condense/plugin-sdk';
export { recalibrateWhereItHelps, type RecalibrationOutcome } from './recalibration.ts';
export { halvingRungs, halvingTrialEpochs, survivors, type Rung } from './halving.ts';
export {
  modelCost, trainingSecondsPerSample, inferenceSecondsPerSample, MACS_PER_SECOND, INFERENCE_MACS_PER_SECOND, ACTIVATIONS_PER_SECOND, STEP_SECONDS, TEACHER_BATCH_SECONDS, type ModelCost,
} from './cost.ts';
export { narrowTeacher } from './teacher-derived.ts';
export { inheritChannels } from './teacher-channels.ts';
export { buildHint, hintLayerName, hintLoss, withFeature, type Hint } from './hints.ts';
