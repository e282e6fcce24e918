// The quantization plugin's options: JSON Schema for the host and the matching type.
import type { JsonSchema } from '@condense/plugin-sdk';

export const MODES = ['int8', 'float16', 'dynamic-int8'] as const;
export type QuantizationModeName = (typeof MODES)[number];

export interface QuantizationConfig {
  modes: QuantizationModeName[];
  accuracyBudget: number;
  qatEpochs: number;
  learningRate: number;
  batchSize: number;
  calibrationSamples: number;
  evaluationSamples: number;
  samplesPerEpoch: number;
  emaDecay: number;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    modes: {
      type: 'array',
      items: { enum: [...MODES] },
      minItems: 1,
      uniqueItems: true,
      default: [...MODES],
      description: "Candidates to emit: 'int8' (full integer, per-channel, calibrated), 'float16' (half-precision weights), 'dynamic-int8' (int8 weights, float activations).",
    },
    accuracyBudget: {
      type: 'number', minimum: 0, maximum: 1, default: 0.01,
      description: 'Largest acceptable validation accuracy drop of post-training int8 (as a fraction, 0.01 = 1 point); above it the int8 candidate is fine-tuned quantization-aware.',
    },
    qatEpochs: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'Epochs of quantization-aware fine-tuning when it runs.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.0001, description: 'Adam learning rate of quantization-aware fine-tuning.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: 'Batch size of quantization-aware fine-tuning.' },
    calibrationSamples: {
      type: 'integer', minimum: 1, maximum: 100000, default: 500,
      description: 'Training samples used to calibrate activation ranges (the exporter calibrates on as many).',
    },
    evaluationSamples: {
      type: 'integer', minimum: 1, default: 2000,
      description: 'Validation samples on which float and simulated int8 accuracy are compared.',
    },
    samplesPerEpoch: {
      type: 'integer', minimum: 0, default: 0,
      description: 'Training samples per quantization-aware epoch; 0 uses the whole training split.',
    },
    emaDecay: {
      type: 'number', minimum: 0, maximum: 1, default: 0.99,
      description: 'Decay of the moving averages of activation ranges during quantization-aware fine-tuning.',
    },
  },
};
