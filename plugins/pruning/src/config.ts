// The pruning plugin's options: JSON Schema for the host (which validates and fills defaults)
// and the matching TypeScript type.
import type { JsonSchema } from '@condense/plugin-sdk';

export interface PruningConfig {
  mode: 'unstructured' | 'structured' | 'vocabulary';
  coverage: number | number[];
  targetSparsity: number | number[];
  targetSize: number | number[];
  targetBytes: number | number[];
  sizeQuantization: 'int8' | 'dynamic-int8' | 'float16' | 'float32';
  residual: 'together' | 'keep';
  initialSparsity: number;
  epochs: number;
  beginEpoch: number;
  endEpoch: number;
  beginStep: number;
  endStep: number;
  frequency: number;
  batchSize: number;
  learningRate: number;
  layers: string[];
  samplesPerEpoch: number;
  recalibrationBatches: number;
  seed: number;
}

const sparsity = { type: 'number', minimum: 0, maximum: 0.99 };

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: {
      enum: ['unstructured', 'structured', 'vocabulary'],
      default: 'unstructured',
      description: "'unstructured' zeroes individual weights (smaller when compressed); 'structured' removes whole conv filters / dense units ranked by L1 norm (a narrower, faster model); 'vocabulary' removes the Embedding rows of words rare in the training split (text models over token ids; see `coverage`).",
    },
    coverage: {
      anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, minItems: 1, maxItems: 8 }],
      default: [0.99, 0.97],
      description: "mode 'vocabulary': keep the fewest most frequent token ids whose occurrences reach this fraction of the training split's tokens. A list emits one candidate per value.",
    },
    targetSparsity: {
      anyOf: [sparsity, { type: 'array', items: sparsity, minItems: 1, maxItems: 8 }],
      default: [0.5, 0.75],
      description: 'Final sparsity: the fraction of weights (unstructured) or of channels per layer (structured) removed. A list emits one candidate per value.',
    },
    targetSize: {
      anyOf: [{ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, maxItems: 8 }],
      default: [],
      description: "mode 'structured': instead of a sparsity, the fraction of the model's own exported file (in `sizeQuantization`, the host's exporter; the model alone, without the run's metadata) the pruned model's file — with the metadata and labels the run writes — must fit; the plugin finds the least channel sparsity that fits. A list emits one candidate per value; empty (and no `targetBytes`) uses `targetSparsity`.",
    },
    targetBytes: {
      anyOf: [{ type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 8 }],
      default: [],
      description: "mode 'structured': like `targetSize`, but an absolute budget: the pruned model's file in `sizeQuantization`, with the metadata and labels the run writes, must be at most this many bytes (e.g. a run's maxBytes). A list emits one candidate per value, after those of `targetSize`.",
    },
    sizeQuantization: {
      enum: ['int8', 'dynamic-int8', 'float16', 'float32'], default: 'int8',
      description: 'Export format whose file size `targetSize` and `targetBytes` measure.',
    },
    residual: {
      enum: ['together', 'keep'], default: 'keep',
      description: "mode 'structured', residual networks: 'keep' leaves the layers feeding an Add at full width and prunes only the others (the first convolution of each residual block); 'together' removes the same channels from every layer feeding an Add (and the Adds joined to it by identity shortcuts).",
    },
    initialSparsity: { ...sparsity, default: 0, description: 'Sparsity s_i at the start of the schedule.' },
    epochs: {
      type: 'number', minimum: 0, maximum: 1000, default: 2,
      description: 'Fine-tuning epochs while pruning; 0 prunes in one shot without fine-tuning.',
    },
    beginEpoch: { type: 'number', minimum: 0, default: 0, description: 'Epoch (may be fractional) at which pruning starts.' },
    endEpoch: {
      type: 'number', minimum: 0, default: 1,
      description: 'Epoch (may be fractional) at which the target sparsity is reached; capped at `epochs`. The remaining epochs fine-tune at the final sparsity.',
    },
    beginStep: {
      type: 'integer', minimum: -1, default: -1,
      description: 'Training step at which pruning starts; overrides beginEpoch when ≥ 0.',
    },
    endStep: {
      type: 'integer', minimum: -1, default: -1,
      description: 'Training step at which the target sparsity is reached; overrides endEpoch when ≥ 0.',
    },
    frequency: { type: 'integer', minimum: 1, default: 10, description: 'Training steps between mask updates (Δt).' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: 'Fine-tuning batch size.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.001, description: 'Adam learning rate for fine-tuning.' },
    layers: {
      type: 'array', items: { type: 'string' }, default: [],
      description: 'Names of the layers to prune; empty prunes every supported layer.',
    },
    samplesPerEpoch: {
      type: 'integer', minimum: 0, default: 0,
      description: 'Training samples per fine-tuning epoch; 0 uses the whole training split.',
    },
    recalibrationBatches: {
      type: 'integer', minimum: 0, maximum: 1000, default: 20,
      description: "Clean training batches over which every BatchNormalization layer's statistics are recomputed once the channels are removed or the weights zeroed (0 = keep the moving averages).",
    },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the per-epoch shuffle.' },
  },
};

/** A number-or-list option as a list without repeats. */
const asList = (value: number | number[]): number[] => [...new Set(Array.isArray(value) ? value : [value])];

/** The target sparsities as a list, one candidate each. */
export const targetSparsities = (config: PruningConfig): number[] => asList(config.targetSparsity);

/** The target file-size fractions as a list. */
export const targetSizes = (config: PruningConfig): number[] => asList(config.targetSize);

/** The absolute file-size budgets (bytes) as a list. */
export const targetBytes = (config: PruningConfig): number[] => asList(config.targetBytes);

/** The vocabulary coverages as a list, one candidate each. */
export const coverages = (config: PruningConfig): number[] => asList(config.coverage);
