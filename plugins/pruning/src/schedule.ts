// Gradual pruning schedule of Zhu & Gupta 2017, "To prune, or not to prune: exploring the
// efficacy of pruning for model compression" (arXiv 1710.01878):
//   s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³   for t0 ≤ t ≤ t0 + n·Δt,
// pruning fast while the network is redundant and slowing down as fewer weights remain.

export interface SparsitySchedule {
  initialSparsity: number;
  finalSparsity: number;
  /** Step t0 at which pruning starts. */
  beginStep: number;
  /** Step t0 + n·Δt at which the final sparsity is reached. */
  endStep: number;
  /** Δt: steps between mask updates. */
  frequency: number;
}

/** Sparsity the schedule asks for at `step` (clamped outside [beginStep, endStep]). */
export function sparsityAt(schedule: SparsitySchedule, step: number): number {
  const { initialSparsity: si, finalSparsity: sf, beginStep, endStep } = schedule;
  if (step <= beginStep) return si;
  if (step >= endStep || endStep <= beginStep) return sf;
  const progress = (step - beginStep) / (endStep - beginStep);
  return sf + (si - sf) * (1 - progress) ** 3;
}

/** Whether the masks are recomputed at `step`: every Δt steps in the window, and at its end. */
export function isPruningStep(schedule: SparsitySchedule, step: number): boolean {
  if (step < schedule.beginStep || step > schedule.endStep) return false;
  return step === schedule.endStep || (step - schedule.beginStep) % schedule.frequency === 0;
}
