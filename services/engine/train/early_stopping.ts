// Early stopping on a metric reported at epoch end: stop after `patience` epochs without an
// improvement larger than `minDelta`.
import type { EarlyStoppingOptions } from './types.ts';
import type { LoopPosition } from './checkpoint.ts';

export function monitorMode(options: EarlyStoppingOptions): 'min' | 'max' {
  return options.mode ?? (/acc/i.test(options.monitor) ? 'max' : 'min');
}

/** Updates the early-stopping state for `epoch`; returns whether it improved and whether to stop. */
export function updateEarlyStopping(
  options: EarlyStoppingOptions, state: LoopPosition['early'], epoch: number, metrics: Record<string, number>,
): { improved: boolean; stop: boolean } {
  const value = metrics[options.monitor];
  if (value === undefined) {
    throw new Error(`early stopping monitors '${options.monitor}' but epochs report only: ${Object.keys(metrics).join(', ')}`);
  }
  const delta = options.minDelta ?? 0;
  const improved = state.best === null || Number.isNaN(state.best)
    || (monitorMode(options) === 'min' ? value < state.best - delta : value > state.best + delta);
  if (improved) {
    state.best = value;
    state.bestEpoch = epoch;
    state.wait = 0;
  } else {
    state.wait += 1;
  }
  return { improved, stop: state.wait >= options.patience };
}
