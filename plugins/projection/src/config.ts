// Config of the projection plugin (JSON Schema the host validates; every field has a default).
import type { JsonSchema } from '@condense/plugin-sdk';

export interface ProjectionConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** T hash functions × d bits each: T·d projection bits. */
  numHash: number;
  numBits: number;
  /** Hidden units of the projection network (one hidden layer; 0 = linear on the bits). */
  hiddenUnits: number;
  /** Hidden units of the trainer network. */
  trainerHiddenUnits: number;
  /** Input buckets of the text trainer (bag of hashed n-grams). */
  trainerBuckets: number;
  /** Weight λ of the distillation term (trainer → projection net). */
  distillationWeight: number;
  temperature: number;
  maxFeatures: number;
  wordNgrams: number[];
  charNgrams: number[];
  samplesPerEpoch: number;
  quantization: 'float32' | 'float16' | 'dynamic-int8' | 'int8';
  seed: number;
  /** Several projection networks trained beside one trainer, each a candidate
   * `projection-<T>x<d>-h<H>` (numBits shared); empty: one network of numHash × numBits, hiddenUnits. */
  sizes: Array<{ numHash: number; hiddenUnits: number }>;
  /** Text: which network is the trainer — 'auto' (the run's text model when the dataset gives token
   * ids beside the texts, else a bag-of-n-grams MLP), 'model' or 'ngrams'. */
  trainer: 'auto' | 'model' | 'ngrams';
  hashing: 'model' | 'front-end';
}

const ngramList = (description: string, dflt: number[], min: number, max: number) => ({
  type: 'array', items: { type: 'integer', minimum: min, maximum: max }, maxItems: 4, default: dflt, description,
});

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 200, default: 10, description: 'Joint training epochs.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 1024, default: 32, description: 'Training batch size.' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.002, description: 'Adam learning rate.' },
    numHash: { type: 'integer', minimum: 1, maximum: 2048, default: 256, description: 'Number T of LSH hash functions.' },
    numBits: { type: 'integer', minimum: 1, maximum: 32, default: 8, description: 'Bits d per hash function (T·d ≤ 2048).' },
    hiddenUnits: { type: 'integer', minimum: 0, maximum: 1024, default: 4, description: 'Hidden units of the projection network (0: linear).' },
    trainerHiddenUnits: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'Hidden units of the trainer network.' },
    trainerBuckets: { type: 'integer', minimum: 16, maximum: 65536, default: 4096, description: 'Hashed n-gram buckets of the text trainer network.' },
    distillationWeight: { type: 'number', minimum: 0, maximum: 100, default: 1, description: 'λ: weight of the trainer→projection distillation loss.' },
    temperature: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 1, description: 'Softmax temperature of the distillation term.' },
    maxFeatures: { type: 'integer', minimum: 1, maximum: 65536, default: 512, description: 'Text: n-gram slots per sample (model input [2, N]).' },
    wordNgrams: ngramList('Text: word n-gram orders.', [1, 2], 1, 5),
    charNgrams: ngramList('Text: character n-gram orders.', [4], 1, 10),
    samplesPerEpoch: { type: 'integer', minimum: 0, default: 0, description: 'At most this many training samples (0: all).' },
    quantization: { enum: ['float32', 'float16', 'dynamic-int8', 'int8'], default: 'dynamic-int8', description: 'TFLite export mode asked of the host (int8: the projection stays float/int32, the dense layers int8; calibration needs featurised inputs).' },
    seed: { type: 'integer', default: 1, description: 'Seed of initialisation and shuffling.' },
    sizes: {
      type: 'array', maxItems: 6, default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['numHash', 'hiddenUnits'],
        properties: { numHash: { type: 'integer', minimum: 1, maximum: 2048 }, hiddenUnits: { type: 'integer', minimum: 0, maximum: 1024 } },
      },
      description: 'Several projection networks (T hash functions, hidden units; numBits shared) trained beside one trainer, one candidate each (projection-<T>x<d>-h<H>); empty: one network of numHash, hiddenUnits.',
    },
    hashing: {
      enum: ['model', 'front-end'], default: 'model',
      description: "Text: where LSH_PROJECTION runs. 'model': in the .tflite (input [2, N] n-gram ids and weights). 'front-end': the app computes the T·d bits (featurizeWithFrontEnd) and the file is FULLY_CONNECTED layers over a [T·d] input — runtimes without LSH_PROJECTION (Arm NN 20.08) run it.",
    },
    trainer: { enum: ['auto', 'model', 'ngrams'], default: 'auto', description: "Text: the trainer network — the run's model reading token ids (auto: when the dataset has them), or a bag-of-hashed-n-grams MLP." },
  },
};
