// The learning rate of every student along the run: a linear warm-up over the first steps
// (Goyal et al. 2017, "Accurate, Large Minibatch SGD", arXiv 1706.02677, §2.2), then a half
// cosine down to 0 (Loshchilov & Hutter 2017, "SGDR", arXiv 1608.03983) — or a constant rate.
import type { Optimizer } from '@condense/plugin-sdk';

export type LearningRateSchedule = 'constant' | 'cosine';

/**
 * Learning rate at `step` (0-based) of `total` steps. `warmup` is the fraction of the steps that
 * ramp linearly from base/warm-up-steps up to `base`; the cosine then runs over the remaining steps.
 */
export function scheduledLearningRate(base: number, schedule: LearningRateSchedule | undefined, step: number, total: number, warmup = 0): number {
  const warmSteps = Math.floor(Math.max(0, Math.min(0.5, warmup)) * total);
  if (step < warmSteps) return (base * (step + 1)) / warmSteps;
  if (schedule !== 'cosine' || total <= 1) return base;
  const span = Math.max(1, total - warmSteps);
  return 0.5 * base * (1 + Math.cos((Math.PI * Math.min(step - warmSteps, span)) / span));
}

/** tfjs optimizers read `learningRate` on every step but only SGD exposes a setter. */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
