// Roofline latency estimate: an inference is bound either by arithmetic or by moving bytes,
// whichever is slower, plus fixed per-operator and per-invoke costs.
// (Williams, Waterman, Patterson, "Roofline: an insightful visual performance model for
// multicore architectures", CACM 2009.)

import type { HardwareTarget, TargetArtifact } from './types.ts';

export interface LatencyBreakdown {
  computeMs: number;
  memoryMs: number;
  overheadMs: number;
  totalMs: number;
}

/** Estimated on-target latency of one batch-1 inference, with the terms that make it up. */
export function estimateLatency(target: HardwareTarget, artifact: TargetArtifact): LatencyBreakdown {
  const model = target.latency;
  const computeMs = (artifact.macs / model.macsPerSecond) * 1000;

  const activationBytes = artifact.activationBytesMoved ?? 2 * artifact.peakActivationBytes;
  let memoryMs: number;
  if (model.onChipWeightBytes !== undefined && model.offChipBytesPerSecond !== undefined) {
    // Weights past the on-chip cache stream from off-chip memory on every inference.
    const onChip = Math.min(artifact.weightBytes, model.onChipWeightBytes);
    const offChip = artifact.weightBytes - onChip;
    memoryMs = ((onChip + activationBytes) / model.bytesPerSecond + offChip / model.offChipBytesPerSecond) * 1000;
  } else {
    memoryMs = ((artifact.weightBytes + activationBytes) / model.bytesPerSecond) * 1000;
  }

  const opCount = artifact.opCount ?? artifact.ops.length;
  const overheadMs = opCount * model.perOpOverheadMs + model.fixedOverheadMs;
  return { computeMs, memoryMs, overheadMs, totalMs: Math.max(computeMs, memoryMs) + overheadMs };
}

/** Estimated on-target latency in milliseconds (see estimateLatency). */
export function estimateLatencyMs(target: HardwareTarget, artifact: TargetArtifact): number {
  return estimateLatency(target, artifact).totalMs;
}
