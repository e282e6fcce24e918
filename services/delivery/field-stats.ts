// Reading a candidate's field statistics back: per device class and over all devices, with the
// latency quantiles taken from the summed histograms (latency-histogram.ts).
import type { Selectable } from 'kysely';
import type { CandidateFieldStatsTable } from '../db/types/index.ts';
import { quantile } from './latency-histogram.ts';

export interface FieldStatsSummary {
  deviceClass: string | null;
  reports: number;
  inferences: number;
  failures: number;
  /** Median over inferences of the devices' own p50, and likewise for p90 (null without latency reports). */
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  loadMeanMs: number | null;
  /** failures / (inferences + failures); null before any. */
  failureRate: number | null;
  feedbackTotal: number;
  /** correct / total of the feedback; null without feedback. */
  feedbackAccuracy: number | null;
  updatedAt: Date;
}

type Row = Selectable<CandidateFieldStatsTable>;

function summarise(deviceClass: string | null, rows: Row[]): FieldStatsSummary {
  const sum = (pick: (r: Row) => string | number) => rows.reduce((a, r) => a + Number(pick(r)), 0);
  const histogram = (pick: (r: Row) => string[]) => {
    const total: number[] = [];
    for (const r of rows) pick(r).forEach((v, i) => { total[i] = (total[i] ?? 0) + Number(v); });
    return total;
  };
  const inferences = sum((r) => r.inferences);
  const failures = sum((r) => r.failures);
  const loadReports = sum((r) => r.load_reports);
  const feedbackTotal = sum((r) => r.feedback_total);
  return {
    deviceClass,
    reports: sum((r) => r.reports),
    inferences,
    failures,
    latencyP50Ms: quantile(histogram((r) => r.p50_histogram), 0.5),
    latencyP90Ms: quantile(histogram((r) => r.p90_histogram), 0.5),
    loadMeanMs: loadReports > 0 ? sum((r) => r.load_ms_sum) / loadReports : null,
    failureRate: inferences + failures > 0 ? failures / (inferences + failures) : null,
    feedbackTotal,
    feedbackAccuracy: feedbackTotal > 0 ? sum((r) => r.feedback_correct) / feedbackTotal : null,
    updatedAt: new Date(Math.max(...rows.map((r) => r.updated_at.getTime()))),
  };
}

/** Over all devices, then per device class (most reports first); null when nothing was reported. */
export function fieldStatsOf(rows: Row[]): { overall: FieldStatsSummary; byDeviceClass: FieldStatsSummary[] } | null {
  if (rows.length === 0) return null;
  const byDeviceClass = rows.map((r) => summarise(r.device_class, [r])).sort((a, b) => b.reports - a.reports || a.deviceClass!.localeCompare(b.deviceClass!));
  return { overall: summarise(null, rows), byDeviceClass };
}
