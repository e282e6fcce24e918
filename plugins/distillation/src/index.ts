// @condense/plugin-distillation: knowledge distillation (Hinton et al. 2015) of several students
// of different sizes trained jointly from one teacher, as in Learn2Compress.
import { definePlugin, type CandidateModel, TARGET_IDS } from '@condense/plugin-sdk';
import { configSchema, resolveStudent, type DistillationConfig } from './config.ts';
import { distillJointly } from './joint.ts';

export default definePlugin<DistillationConfig>({
  manifest: {
    name: 'distillation',
    version: '1.0.0',
    sdk: '^1.4.0',
    kind: 'distillation',
    summary: 'Knowledge distillation: the teacher trains several smaller students (MobileNet-style for images, MLPs for vectors) jointly in one loop.',
    // Students are ordinary dense/conv models: every target runs them (the planner picks sizes).
    hardwareTargets: [...TARGET_IDS],
    modes: Object.fromEntries(TARGET_IDS.map((t) => [t, ['large', 'medium', 'small']])),
    configSchema,
  },
  hooks: {
    async compress(ctx, config) {
      // Without a separate teacher, the model being compressed teaches its own smaller students.
      const teacher = ctx.teacher ?? ctx.model;
      ctx.log.info(`distilling ${config.students.length} student(s) jointly for ${config.epochs} epoch(s) at T=${config.temperature}, alpha=${config.alpha}`);
      const joint = await distillJointly(ctx, teacher, config.students, config);
      const candidates: CandidateModel[] = [];
      for (const student of joint.students) {
        const validation = ctx.data.info.splits.validation > 0 ? await ctx.train.evaluate(student.model, { split: 'validation', batchSize: 256 }) : undefined;
        const { size } = student;
        const asked = resolveStudent(student.spec).width;
        const resolution = student.family === 'mobilenet' && (size.resolution ?? 1) !== 1 ? `, resolution ×${size.resolution}` : '';
        const narrowed = size.width !== asked ? ` Narrowed from width ×${asked} to stay under half the teacher's parameters.` : '';
        candidates.push({
          name: student.name,
          model: student.model,
          notes: `${student.family === 'mobilenet' ? 'MobileNet-style depthwise-separable CNN' : 'MLP'} student (width ×${size.width}, depth ×${size.depth}${resolution}, ${student.params} parameters) distilled from the teacher for ${joint.epochsCompleted} epoch(s), jointly with ${joint.students.length - 1} other student(s).${narrowed}`,
          metrics: {
            params: student.params,
            ...(validation ? { validationAccuracy: validation.accuracy } : {}),
            jointLoopSeconds: joint.loopSeconds,
            studentsTrainedJointly: joint.students.length,
          },
        });
      }
      return candidates;
    },
  },
});

export { configSchema, resolveStudent, studentName, STUDENT_PRESETS } from './config.ts';
export type { DistillationConfig, StudentPreset, StudentSize, StudentSpec } from './config.ts';
export { buildStudents, distillJointly, scheduledLearningRate, timeJointVsSingle } from './joint.ts';
export type { BuiltStudent, DistillContext, JointOptions, JointResult, JointVsSingleTiming, TrainedStudent } from './joint.ts';
export { buildStudent } from './students.ts';
