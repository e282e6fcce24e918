// The distillation plugin's options: JSON Schema for the host (which validates and fills
// defaults), the matching TypeScript type, and the student size presets.
import type { JsonSchema } from '@condense/plugin-sdk';

/** Size of one student relative to the family's base architecture. */
export interface StudentSize {
  /** Width multiplier: channels (image) or hidden units (vector) are scaled by it. */
  width: number;
  /** Depth multiplier: the number of blocks (image) or hidden layers (vector) is scaled by it. */
  depth: number;
}

export type StudentPreset = 'large' | 'medium' | 'small';
export type StudentSpec = StudentPreset | StudentSize;

export const STUDENT_PRESETS: Record<StudentPreset, StudentSize> = {
  large: { width: 1, depth: 1 },
  medium: { width: 0.5, depth: 0.5 },
  small: { width: 0.25, depth: 0.5 },
};

export interface DistillationConfig {
  students: StudentSpec[];
  temperature: number;
  alpha: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
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
      description: "Students to train jointly, one candidate each, in this order: presets 'large' (width 1, depth 1), 'medium' (0.5, 0.5), 'small' (0.25, 0.5) or {width, depth} multipliers of the base student (MobileNet-style for images, an MLP for vectors).",
    },
    temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 4, description: 'Softening temperature T of teacher and student softmax in the soft-target term.' },
    alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Weight of the hard-label cross-entropy; the soft (teacher) term gets 1 − alpha and is scaled by T².' },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'Epochs of joint training.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'Batch size; the teacher runs once per batch for all students.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.002, description: 'Adam learning rate of every student.' },
    samplesPerEpoch: { type: 'integer', minimum: 0, default: 0, description: 'Training samples per epoch; 0 uses the whole training split.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the per-epoch shuffle and of the students\' initial weights.' },
  },
};

/** A student spec as multipliers. */
export function resolveStudent(spec: StudentSpec): StudentSize {
  return typeof spec === 'string' ? STUDENT_PRESETS[spec] : spec;
}

/** Candidate name of a student: 'student-small' for presets, 'student-w0.5-d1' otherwise. */
export function studentName(spec: StudentSpec): string {
  return typeof spec === 'string' ? `student-${spec}` : `student-w${spec.width}-d${spec.depth}`;
}
