// Device telemetry: one report per model session from an app (through the app-key endpoint,
// services/api/http/app-telemetry.ts), checked, then added to the candidate's field statistics
// per device class. Only counts, sums and latency histograms are kept — never an install id, an
// address or anything else that identifies a device or a person.
import { sql } from 'kysely';
import { z } from 'zod';
import type { TenantTransaction } from '../db/tenant.ts';
import { BUCKET_COUNT, bucketOf } from './latency-histogram.ts';

/** Limits of one report, and of the field statistics of one candidate. */
export const TELEMETRY_LIMITS = {
  /** Bytes of one report's JSON body. */
  maxBodyBytes: 4_096,
  maxInferences: 10_000_000,
  maxLatencyMs: 600_000,
  /** Distinct device classes kept per candidate; reports of further classes count as `other`. */
  maxDeviceClasses: 32,
} as const;

const count = z.number().int().min(0).max(TELEMETRY_LIMITS.maxInferences);
const millis = z.number().min(0).max(TELEMETRY_LIMITS.maxLatencyMs);

export const TelemetryReport = z.strictObject({
  /** The candidate the app ran: the X-Condense-Candidate header of the model response. */
  candidateId: z.string().min(1).max(200),
  /** Inferences in this session (0 when only load time or a failure is reported). */
  inferences: count,
  latencyP50Ms: millis.optional(),
  latencyP90Ms: millis.optional(),
  /** Time to load the model into the runtime. */
  loadMs: millis.optional(),
  /** Inferences or loads that failed. */
  failures: count.default(0),
  /** Optional correctness feedback: of `total` labelled answers, `correct` were right. */
  feedback: z.strictObject({ correct: count, total: count }).refine((f) => f.correct <= f.total, 'correct cannot exceed total').optional(),
})
  .refine((r) => (r.latencyP50Ms === undefined) === (r.latencyP90Ms === undefined), 'send latencyP50Ms and latencyP90Ms together')
  .refine((r) => r.latencyP50Ms === undefined || r.latencyP50Ms <= r.latencyP90Ms!, 'latencyP50Ms cannot exceed latencyP90Ms')
  .refine((r) => r.latencyP50Ms === undefined || r.inferences > 0, 'latency needs inferences > 0');
export type TelemetryReport = z.infer<typeof TelemetryReport>;

/** The report in `body`, or the reasons it is refused (one line each, naming the field). */
export function parseTelemetryReport(body: unknown): { report: TelemetryReport } | { errors: string[] } {
  const parsed = TelemetryReport.safeParse(body);
  if (parsed.success) return { report: parsed.data };
  return { errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'report'}: ${i.message}`) };
}

/** A device class as stored: lower case letters, digits, `.`, `_` and `-`, at most 32; else `unknown`. */
export function normaliseDeviceClass(value: string | undefined): string {
  const v = value?.trim().toLowerCase() ?? '';
  return /^[a-z0-9._-]{1,32}$/.test(v) ? v : 'unknown';
}

/**
 * Adds a report to the statistics of `candidateUuid` for its device class. Returns false when
 * the candidate is not one of `projectId`'s (nothing is written).
 */
export async function recordTelemetry(
  trx: TenantTransaction, input: { orgId: string; projectId: string; candidateUuid: string; deviceClass: string; report: TelemetryReport },
): Promise<boolean> {
  const { orgId, projectId, candidateUuid, report } = input;
  const candidate = await trx.selectFrom('candidates as c').innerJoin('compression_runs as r', 'r.id', 'c.run_id')
    .select('c.id').where('c.id', '=', candidateUuid).where('r.project_id', '=', projectId).executeTakeFirst();
  if (!candidate) return false;
  const known = await trx.selectFrom('candidate_field_stats').select('device_class').where('candidate_id', '=', candidateUuid).execute();
  const classes = new Set(known.map((k) => k.device_class));
  const deviceClass = classes.has(input.deviceClass) || classes.size < TELEMETRY_LIMITS.maxDeviceClasses ? input.deviceClass : 'other';

  const p50 = new Array<number>(BUCKET_COUNT).fill(0);
  const p90 = new Array<number>(BUCKET_COUNT).fill(0);
  const latency = report.latencyP50Ms !== undefined && report.latencyP90Ms !== undefined
    ? { p50: bucketOf(report.latencyP50Ms), p90: bucketOf(report.latencyP90Ms) } : null;
  // Each device's percentiles weigh as many inferences as it ran.
  if (latency) {
    p50[latency.p50] = report.inferences;
    p90[latency.p90] = report.inferences;
  }
  const load = report.loadMs !== undefined ? { reports: 1, sum: report.loadMs } : { reports: 0, sum: 0 };
  const feedback = report.feedback ?? { correct: 0, total: 0 };
  const histogramUpdate = latency
    ? sql`, p50_histogram[${sql.lit(latency.p50 + 1)}] = s.p50_histogram[${sql.lit(latency.p50 + 1)}] + ${report.inferences}::bigint,
         p90_histogram[${sql.lit(latency.p90 + 1)}] = s.p90_histogram[${sql.lit(latency.p90 + 1)}] + ${report.inferences}::bigint`
    : sql``;
  await sql`
    insert into candidate_field_stats as s (org_id, candidate_id, device_class, reports, inferences, failures,
      load_reports, load_ms_sum, feedback_correct, feedback_total, p50_histogram, p90_histogram)
    values (${orgId}, ${candidateUuid}, ${deviceClass}, 1, ${report.inferences}, ${report.failures},
      ${load.reports}, ${load.sum}, ${feedback.correct}, ${feedback.total}, ${p50}::bigint[], ${p90}::bigint[])
    on conflict (candidate_id, device_class) do update set
      reports = s.reports + 1,
      inferences = s.inferences + excluded.inferences,
      failures = s.failures + excluded.failures,
      load_reports = s.load_reports + excluded.load_reports,
      load_ms_sum = s.load_ms_sum + excluded.load_ms_sum,
      feedback_correct = s.feedback_correct + excluded.feedback_correct,
      feedback_total = s.feedback_total + excluded.feedback_total,
      updated_at = now()
      ${histogramUpdate}`.execute(trx);
  return true;
}
