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
  /** Search group: successive halving compares trials of the same group only. */
  group?: string;
  /** At most this fraction of the teacher's parameters (default ½): a wider student is narrowed to fit. */
  maxParamsFraction?: number;
  /** Images: 'mobilenet' (default) — depthwise-separable blocks with batch norm — or 'cnn', a
   * plain LeNet-style stack of 3×3 convolution + max-pool stages (students.ts). */
  family?: 'mobilenet' | 'cnn';
}

/** The teacher's own architecture with its channels × `teacherWidth`, freshly initialised. */
export interface TeacherDerivedSpec {
  teacherWidth: number;
  group?: string;
  /** 'teacher' (default): start from the teacher's most important channels (teacher-channels.ts);
   * 'fresh': seeded random weights. */
  init?: 'teacher' | 'fresh';
  /** A generic student trained under the same trial name when the teacher's architecture cannot
   * be narrowed (no hidden conv/dense layer, or a graph that no longer builds at that width). */
  fallback?: StudentSize;
}

export type StudentPreset = 'large' | 'medium' | 'small';
/** 'self': the model handed to the plugin (e.g. the structurally pruned teacher), distilled from the teacher. */
export type StudentSpec = StudentPreset | 'self' | StudentSize | TeacherDerivedSpec;

export const STUDENT_PRESETS: Record<StudentPreset, StudentSize> = {
  large: { width: 1, depth: 1 },
  medium: { width: 0.5, depth: 0.5, resolution: 0.5 },
  small: { width: 0.25, depth: 0.5, resolution: 0.5 },
};

export interface GridPoint {
  temperature: number;
  alpha: number;
}

export interface DistillationConfig {
  students: StudentSpec[];
  temperature: number;
  alpha: number;
  /** (T, α) pairs each student is trained with, one trial each; empty = [{temperature, alpha}]. */
  grid: GridPoint[];
  epochs: number;
  /** Training seconds to spend (cost model, see cost.ts); > 0 replaces `epochs`. */
  budgetSeconds: number;
  /** Under a budget, each search group's share of the students' seconds relative to the others (default 1 each). */
  groupWeights?: Record<string, number>;
  /** Successive halving within each search group; 0 = every trial trains the whole run. */
  halvingEta: number;
  batchSize: number;
  learningRate: number;
  learningRateSchedule: 'constant' | 'cosine';
  warmup: number;
  cropPadding: number;
  flip: 'auto' | 'always' | 'never';
  mixup: number;
  /** Images: largest random rotation in degrees (0 = none). */
  rotation: number;
  /** Images: largest relative random scaling (0 = none). */
  scale: number;
  recalibrationBatches: number;
  /** FitNets hint weight β for students that follow the teacher's layers; 0 = no hints. */
  hintWeight: number;
  samplesPerEpoch: number;
  seed: number;
}

const group = { type: 'string', minLength: 1, maxLength: 40 };
const size = {
  type: 'object',
  additionalProperties: false,
  required: ['width', 'depth'],
  properties: {
    width: { type: 'number', exclusiveMinimum: 0, maximum: 4 },
    depth: { type: 'number', exclusiveMinimum: 0, maximum: 4 },
    resolution: { enum: [1, 0.5, 0.25], default: 1 },
    group,
    maxParamsFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    family: { enum: ['mobilenet', 'cnn'] },
  },
};
const teacherDerived = {
  type: 'object',
  additionalProperties: false,
  required: ['teacherWidth'],
  properties: { teacherWidth: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, group, init: { enum: ['teacher', 'fresh'], default: 'teacher' }, fallback: size },
};

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    students: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: { anyOf: [{ enum: ['large', 'medium', 'small', 'self'] }, size, teacherDerived] },
      default: ['large', 'medium', 'small'],
      description: "Students to train jointly, one candidate each (per grid point), in this order: presets 'large' (width 1, depth 1), 'medium' (width 0.5, depth 0.5, resolution 0.5), 'small' (0.25, 0.5, 0.5), {width, depth, resolution?, family?} multipliers of the base student (for images MobileNet-style, or with family 'cnn' a plain conv + max-pool stack; an MLP for vectors), {teacherWidth, init?, fallback?} (the teacher's own architecture at that width, starting from the teacher's channels of largest L1 norm — init 'teacher', the default — or from random weights — 'fresh'; when the teacher cannot be narrowed, the generic student `fallback` under the same name, or the step fails) or 'self' (the model this step receives — e.g. the structurally pruned teacher — distilled from the teacher). Any object may name a search `group`.",
    },
    temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 4, description: 'Softening temperature T of teacher and student softmax in the soft-target term.' },
    alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Weight of the hard-label cross-entropy; the soft (teacher) term gets 1 − alpha and is scaled by T².' },
    grid: {
      type: 'array',
      maxItems: 6,
      items: { type: 'object', additionalProperties: false, required: ['temperature', 'alpha'], properties: { temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100 }, alpha: { type: 'number', minimum: 0, maximum: 1 } } },
      default: [],
      description: 'A small grid of (temperature, alpha) pairs: each student trains once per pair (one trial each, in the same search group); empty = the single temperature and alpha above.',
    },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'Epochs of joint training (ignored when budgetSeconds > 0).' },
    budgetSeconds: { type: 'number', minimum: 0, maximum: 7 * 24 * 3600, default: 0, description: 'Training time to spend, in seconds of the reference machine: the epochs follow from the students\' cost (multiply-accumulates and activations per sample), so the same budget always trains the same epochs. 0 = use epochs.' },
    groupWeights: {
      type: 'object',
      maxProperties: 16,
      additionalProperties: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
      default: {},
      description: "Under a budget: each search group's weight in the split of the students' seconds (after the teacher's passes); a group not named weighs 1, so by default every group gets an equal share. A group of small students that need many epochs can be given more.",
    },
    halvingEta: { type: 'integer', minimum: 0, maximum: 8, default: 2, description: 'Successive halving: after each rung only the best 1/eta trials of a search group (validation accuracy) keep training; 0 or 1 turns it off. Groups of one trial are unaffected.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'Batch size; the teacher runs once per batch for all students.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.003, description: 'Peak Adam learning rate of every student (see learningRateSchedule).' },
    learningRateSchedule: { enum: ['constant', 'cosine'], default: 'cosine', description: "'cosine' decays every student's learning rate from learningRate to 0 over the run along a half cosine (Loshchilov & Hutter 2017); 'constant' keeps it." },
    warmup: { type: 'number', minimum: 0, maximum: 0.5, default: 0.05, description: 'Fraction of the steps over which the learning rate ramps up linearly before the schedule (Goyal et al. 2017).' },
    cropPadding: { type: 'integer', minimum: -1, maximum: 16, default: -1, description: 'Images: zero padding before a random crop back to size (He et al. 2016); -1 = one eighth of the smaller side, 0 = no crops.' },
    flip: { enum: ['auto', 'always', 'never'], default: 'auto', description: "Images: random horizontal flips. 'auto' flips when the teacher's accuracy on mirrored training images is within 2 points of its accuracy on the originals (it is for photos, not for digits)." },
    mixup: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Images: probability that a batch is mixed up with a shuffled copy of itself (Zhang et al. 2018); the teacher labels the mixed images and the student learns from those soft labels only.' },
    rotation: { type: 'number', minimum: 0, maximum: 45, default: 0, description: 'Images: each image is rotated by a random angle of at most this many degrees about its centre (with the crop shift, and scale below, sampled bilinearly; LeCun et al. 1998 distort digits so). 0 = no rotation.' },
    scale: { type: 'number', minimum: 0, maximum: 0.5, default: 0, description: 'Images: each image is scaled about its centre by a random factor in [1 − scale, 1 + scale]. 0 = no scaling.' },
    recalibrationBatches: { type: 'integer', minimum: 0, maximum: 1000, default: 20, description: 'Clean training batches over which every BatchNormalization layer\'s statistics are recomputed after training (0 = keep the moving averages).' },
    hintWeight: { type: 'number', minimum: 0, maximum: 100, default: 0, description: "FitNets hints (Romero et al. 2015): weight β of a term that teaches students following the teacher's own layers (teacher-derived students and 'self', e.g. the pruned teacher) to reproduce the output of the teacher's middle hidden layer, through a 1×1 regressor where the widths differ; the squared error is divided by the teacher feature's mean square. 0 = no hints." },
    samplesPerEpoch: { type: 'integer', minimum: 0, default: 0, description: 'Training samples per epoch; 0 uses the whole training split.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the per-epoch shuffle, the augmentation and the students\' initial weights.' },
  },
};

export function isTeacherDerived(spec: StudentSpec): spec is TeacherDerivedSpec {
  return typeof spec === 'object' && 'teacherWidth' in spec;
}

/** A generic-family student spec as multipliers. */
export function resolveStudent(spec: StudentPreset | StudentSize): StudentSize {
  return typeof spec === 'string' ? STUDENT_PRESETS[spec] : spec;
}

/**
 * Candidate name of a student: 'student-small' for presets, 'student-w0.5-d1' or
 * 'student-w0.5-d1-r0.5', 'student-teacher-w0.5', 'student-self'; a search group prefixes the
 * part after 'student-' ('student-quarter-w1-d1'). The planner names its picks the same way
 * (services/planner/budget.ts).
 */
export function studentName(spec: StudentSpec): string {
  if (typeof spec === 'string') return `student-${spec}`;
  const group = spec.group ? `${spec.group}-` : '';
  if (isTeacherDerived(spec)) return `student-${group}teacher-w${spec.teacherWidth}`;
  const resolution = spec.resolution !== undefined && spec.resolution !== 1 ? `-r${spec.resolution}` : '';
  const family = spec.family === 'cnn' ? 'cnn-' : '';
  return `student-${group}${family}w${spec.width}-d${spec.depth}${resolution}`;
}

/** The search group of a spec: its own `group`, else its name (a group of one). */
export function studentGroup(spec: StudentSpec): string {
  return typeof spec === 'object' && spec.group ? spec.group : studentName(spec);
}

/** The trial name of a student at a grid point: the student's name, plus `-t<T>-a<α>` when the grid has several points. */
export function trialName(spec: StudentSpec, point: GridPoint, gridSize: number): string {
  return gridSize > 1 ? `${studentName(spec)}-t${point.temperature}-a${point.alpha}` : studentName(spec);
}
