// Optimizers by name, so plans and job specs can state them as data.
import { tf } from '../backend/index.ts';

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export interface OptimizerSpec {
  name: OptimizerName;
  learningRate?: number;
}

const DEFAULT_LEARNING_RATE: Record<OptimizerName, number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 };

export function createOptimizer(spec: OptimizerSpec | OptimizerName): tf.Optimizer {
  const { name, learningRate } = typeof spec === 'string' ? { name: spec, learningRate: undefined } : spec;
  const lr = learningRate ?? DEFAULT_LEARNING_RATE[name];
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`learning rate must be a positive number, got ${learningRate}`);
  switch (name) {
    case 'adam': return tf.train.adam(lr);
    case 'sgd': return tf.train.sgd(lr);
    case 'rmsprop': return tf.train.rmsprop(lr);
    default: throw new Error(`unknown optimizer '${String(name)}'; use adam, sgd or rmsprop`);
  }
}
