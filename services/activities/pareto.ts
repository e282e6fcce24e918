// The Pareto front of a run's candidates: those no other candidate beats on every objective
// (higher accuracy, fewer bytes, lower estimated latency) while being strictly better on one.

export interface ParetoPoint {
  id: string;
  accuracy: number;
  bytes: number;
  latencyMs: number;
}

function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const noWorse = a.accuracy >= b.accuracy && a.bytes <= b.bytes && a.latencyMs <= b.latencyMs;
  const better = a.accuracy > b.accuracy || a.bytes < b.bytes || a.latencyMs < b.latencyMs;
  return noWorse && better;
}

export function paretoFront(points: ParetoPoint[]): string[] {
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p))).map((p) => p.id);
}
