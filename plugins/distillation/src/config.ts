// The distillation plugin's options: JSON Schema for the host (which validates and fills
// defaults), the matching TypeScript type, and the student size presets.
import type { JsonSchema } from '@condense/plugin-sdk';

/** Size of one student relative to the family's base architecture. */
export interface StudentSize {
  /** Width multiplier: channels (image) or hidden units (vector) are scaled by it. */
  width: number;
  /** Depth multiplier: the number of blocks (image) or hidden layers (vector) is scaled by it. */
  depth: number;
  /**
   * Resolution multiplier ρ (images only; 1 when absent): the input is average-pooled by 1/ρ, so
   * every feature map is ρ× as wide and high and the student costs about ρ² as much per sample.
   */
  resolution?: number;
}

export type StudentPreset = 'large' | 'medium' | 'small';
export type StudentSpec = StudentPreset | StudentSize;

export const STUDENT_PRESETS: Record<StudentPreset, StudentSize> = {
  large: { width: 1, depth: 1 },
  medium: { width: 0.5, depth: 0.5, resolution: 0.5 },
  small: { width: 0.25, depth: 0.5, resolution: 0.5 },
};

export interface DistillationConfig {
  students: StudentSpec[];
  temperature: number;
  alpha: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  learningRateSchedule: 'constant' | 'cosine';
  samplesPerEpoch: number;
  seed: number;
}

const size = {
  type: 'object',
  additionalProperties: false,
  required: ['width', 'depth'],
  properties: {
    width: { type: 'number', exclusiveMinimum: 0, maximum: 4 },
    depth: { type: 'number', exclusiveMinimum: 0, maximum: 4 },
    resolution: { enum: [1, 0.5, 0.25], default: 1 },
  },
};

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    students: {
      type: 'array',
      minItems: 1,
      maxItems: 8,
      items: { anyOf: [{ enum: ['large', 'medium', 'small'] }, size] },
      default: ['large', 'medium', 'small'],
      description: "Students to train jointly, one candidate each, in this order: presets 'large' (width 1, depth 1), 'medium' (width 0.5, depth 0.5, resolution 0.5), 'small' (0.25, 0.5, 0.5) or {width, depth, resolution?} multipliers of the base student (MobileNet-style for images, an MLP for vectors; resolution 1, 0.5 or 0.25 pools image inputs and is ignored for vectors).",
    },
    temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 4, description: 'Softening temperature T of teacher and student softmax in the soft-target term.' },
    alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Weight of the hard-label cross-entropy; the soft (teacher) term gets 1 − alpha and is scaled by T².' },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'Epochs of joint training.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'Batch size; the teacher runs once per batch for all students.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.003, description: 'Peak Adam learning rate of every student (see learningRateSchedule).' },
    learningRateSchedule: { enum: ['constant', 'cosine'], default: 'cosine', description: "'cosine' decays every student's learning rate from learningRate to 0 over the run along a half cosine (Loshchilov & Hutter 2017); 'constant' keeps it." },
    samplesPerEpoch: { type: 'integer', minimum: 0, default: 0, description: 'Training samples per epoch; 0 uses the whole training split.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the per-epoch shuffle and of the students\' initial weights.' },
  },
};

/** A student spec as multipliers. */
export function resolveStudent(spec: StudentSpec): StudentSize {
  return typeof spec === 'string' ? STUDENT_PRESETS[spec] : spec;
}

/** Candidate name of a student: 'student-small' for presets, 'student-w0.5-d1' or 'student-w0.5-d1-r0.5' otherwise. */
export function studentName(spec: StudentSpec): string {
  if (typeof spec === 'string') return `student-${spec}`;
  const resolution = spec.resolution !== undefined && spec.resolution !== 1 ? `-r${spec.resolution}` : '';
  return `student-w${spec.width}-d${spec.depth}${resolution}`;
}
