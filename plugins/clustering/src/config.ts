// The clustering plugin's options: JSON Schema for the host and the matching type.
import type { JsonSchema } from '@condense/plugin-sdk';
import type { KMeansInit } from './kmeans.ts';

export interface ClusteringConfig {
  clusters: number | number[];
  init: KMeansInit;
  fineTune: 'centroids' | 'retrain-and-snap' | 'none';
  epochs: number;
  learningRate: number;
  batchSize: number;
  samplesPerEpoch: number;
  maxIterations: number;
  layers: string[];
  seed: number;
}

const clusterCount = { type: 'integer', minimum: 2, maximum: 256 };

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clusters: {
      anyOf: [clusterCount, { type: 'array', items: clusterCount, minItems: 1, maxItems: 8 }],
      default: 16,
      description: 'Shared values per kernel (k of k-means); 16 means 4-bit indices. A list emits one candidate per value.',
    },
    init: {
      enum: ['kmeans++', 'linear'],
      default: 'kmeans++',
      description: "Centroid initialisation: 'kmeans++' (seeded by distance) or 'linear' (evenly spaced over [min, max], which Han et al. found keeps large weights best).",
    },
    fineTune: {
      enum: ['centroids', 'retrain-and-snap', 'none'],
      default: 'centroids',
      description: "'centroids' trains the shared values (gradients summed per cluster); 'retrain-and-snap' trains freely, then re-clusters and snaps; 'none' only clusters.",
    },
    epochs: { type: 'integer', minimum: 0, maximum: 1000, default: 1, description: 'Fine-tuning epochs (0 skips fine-tuning).' },
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.0001, description: 'Adam learning rate for fine-tuning.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: 'Fine-tuning batch size.' },
    samplesPerEpoch: { type: 'integer', minimum: 0, default: 0, description: 'Training samples per epoch; 0 uses the whole training split.' },
    maxIterations: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Most k-means iterations per kernel.' },
    layers: { type: 'array', items: { type: 'string' }, default: [], description: 'Names of the layers to cluster; empty clusters every Dense/Conv kernel.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of k-means++ and of the data shuffle.' },
  },
};

export function clusterCounts(config: ClusteringConfig): number[] {
  return [...new Set(Array.isArray(config.clusters) ? config.clusters : [config.clusters])];
}
