// Field-calibrated latency: once apps have reported enough about a project's published candidates
// on a target, the ratio of what devices measured (p50) to what Condense estimated tells how far
// the target's cost model is off for this project's models and users' devices. New candidates'
// estimates on that target are scaled by the median ratio.
import type { TenantTransaction } from '../db/tenant.ts';
import { fieldStatsOf } from './field-stats.ts';

/** Reports a candidate needs before its ratio counts. */
export const MIN_FIELD_REPORTS = 20;

export interface LatencyCalibration {
  /** Multiply an estimate by this. */
  factor: number;
  /** Candidates whose reports gave a ratio. */
  candidates: number;
  reports: number;
}

/** The calibration of `target`'s estimates in `projectId`, or null until some candidate has MIN_FIELD_REPORTS reports. */
export async function fieldLatencyCalibration(trx: TenantTransaction, projectId: string, target: string): Promise<LatencyCalibration | null> {
  const rows = await trx.selectFrom('candidate_field_stats as s')
    .innerJoin('candidates as c', 'c.id', 's.candidate_id')
    .innerJoin('compression_runs as r', 'r.id', 'c.run_id')
    .selectAll('s').select('c.estimated_latency_ms')
    .where('r.project_id', '=', projectId).where('c.target', '=', target).where('c.estimated_latency_ms', '>', 0)
    .execute();
  const byCandidate = new Map<string, typeof rows>();
  for (const row of rows) byCandidate.set(row.candidate_id, [...(byCandidate.get(row.candidate_id) ?? []), row]);
  const ratios: number[] = [];
  let reports = 0;
  for (const own of byCandidate.values()) {
    const overall = fieldStatsOf(own)?.overall;
    if (!overall || overall.reports < MIN_FIELD_REPORTS || overall.latencyP50Ms === null) continue;
    ratios.push(overall.latencyP50Ms / own[0]!.estimated_latency_ms!);
    reports += overall.reports;
  }
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const mid = ratios.length / 2;
  const factor = ratios.length % 2 ? ratios[Math.floor(mid)]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  return { factor, candidates: ratios.length, reports };
}
