// Successive halving (Jamieson & Talwalkar 2016, "Non-stochastic Best Arm Identification and
// Hyperparameter Optimization", arXiv 1502.07943; the inner loop of Hyperband, Li et al. 2018):
// every trial trains for a short first rung, the better 1/η of each group go on to a rung η
// times as long, and so on until one trial per group trains for the whole run. Losers stop
// early and keep the weights they had, so every trial remains a candidate.

export interface Rung {
  /** The rung ends after this many epochs (1-based count of epochs completed). */
  epoch: number;
  /** How many trials of a group of `trials` survive it. */
  keep: number;
}

/**
 * The rungs of a group of `trials` trials over `epochs` epochs with reduction factor `eta`:
 * rung k of R = ⌈log_η trials⌉ ends at ⌊epochs / η^(R−k+1)⌋ and keeps ⌈trials / η^k⌉. Rungs
 * that would end before the first epoch or at the last one are merged into the next.
 */
export function halvingRungs(trials: number, epochs: number, eta = 2): Rung[] {
  if (!(eta >= 2)) throw new Error(`successive halving needs eta ≥ 2, got ${eta}`);
  if (trials <= 1 || epochs <= 1) return [];
  const rounds = Math.ceil(Math.log(trials) / Math.log(eta) - 1e-9);
  const rungs: Rung[] = [];
  for (let k = 1; k <= rounds; k++) {
    const epoch = Math.max(1, Math.floor(epochs / eta ** (rounds - k + 1)));
    const keep = Math.max(1, Math.ceil(trials / eta ** k));
    if (epoch >= epochs) break;
    const last = rungs.at(-1);
    if (last && last.epoch === epoch) last.keep = keep;
    else rungs.push({ epoch, keep });
  }
  return rungs;
}

/** Trial-epochs a group costs: Σ over trials of the epochs each trains before it stops. */
export function halvingTrialEpochs(trials: number, epochs: number, eta = 2): number {
  let alive = trials;
  let done = 0;
  let cost = 0;
  for (const rung of halvingRungs(trials, epochs, eta)) {
    cost += alive * (rung.epoch - done);
    done = rung.epoch;
    alive = rung.keep;
  }
  return cost + alive * (epochs - done);
}

/**
 * Indices (into `scores`) of the `keep` best, highest score first; ties go to the earlier trial,
 * so the choice is reproducible.
 */
export function survivors(scores: readonly number[], keep: number): number[] {
  return scores
    .map((score, i) => ({ score: Number.isFinite(score) ? score : -Infinity, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, Math.max(0, keep))
    .map((e) => e.i);
}
