// What run execution (services/runs, workflows, activities) writes back: run status, phases,
// candidates and the Pareto flag. Plain functions over a kysely transaction opened with
// withTenant(db, orgId, …); each change also appends the matching run event, so subscribers see it.
import { sql, type Kysely } from 'kysely';
import type { DB, FitFailureJson, RunConstraintsJson, RunStatus, TechniqueChoiceJson } from '../db/types/index.ts';
import { appendRunEvent, UnknownRunError } from '../events/store.ts';
import type { RunEvent } from '../events/types.ts';

export interface RunForExecution {
  id: string;
  orgId: string;
  projectId: string;
  status: RunStatus;
  targets: string[];
  /** null = "auto" (the planner chooses). */
  techniques: TechniqueChoiceJson[] | null;
  constraints: RunConstraintsJson;
  /** Seconds of training the planner may spend; null = the default budget. */
  budgetSeconds: number | null;
  cancelRequested: boolean;
  model: { versionId: string; name: string; version: number; filename: string; format: string; blobSha256: string; bytes: number; parameterCount: number };
  dataset: { id: string; filename: string; format: string; blobSha256: string; bytes: number; sampleCount: number; numClasses: number };
}

/** Everything a runner needs to execute a run, or null when the run does not exist in this org. */
export async function getRunForExecution(trx: Kysely<DB>, runId: string): Promise<RunForExecution | null> {
  const row = await trx
    .selectFrom('compression_runs as r')
    .innerJoin('model_versions as mv', 'mv.id', 'r.model_version_id')
    .innerJoin('models as m', 'm.id', 'mv.model_id')
    .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
    .select([
      'm.name as m_name', 'mv.version as mv_version',
      'r.id', 'r.org_id', 'r.project_id', 'r.status', 'r.targets', 'r.techniques', 'r.constraints', 'r.budget_seconds', 'r.cancel_requested_at',
      'mv.id as mv_id', 'mv.filename as mv_filename', 'mv.format as mv_format', 'mv.blob_sha256 as mv_sha', 'mv.bytes as mv_bytes',
      'mv.parameter_count as mv_params',
      'd.id as d_id', 'd.filename as d_filename', 'd.format as d_format', 'd.blob_sha256 as d_sha', 'd.bytes as d_bytes',
      'd.sample_count as d_samples', 'd.num_classes as d_classes',
    ])
    .where('r.id', '=', runId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    orgId: row.org_id,
    projectId: row.project_id,
    status: row.status,
    targets: row.targets,
    techniques: row.techniques,
    constraints: row.constraints,
    budgetSeconds: row.budget_seconds === null ? null : Number(row.budget_seconds),
    cancelRequested: row.cancel_requested_at !== null,
    model: {
      versionId: row.mv_id, name: row.m_name, version: row.mv_version, filename: row.mv_filename, format: row.mv_format, blobSha256: row.mv_sha,
      bytes: Number(row.mv_bytes), parameterCount: Number(row.mv_params),
    },
    dataset: {
      id: row.d_id, filename: row.d_filename, format: row.d_format, blobSha256: row.d_sha, bytes: Number(row.d_bytes),
      sampleCount: row.d_samples, numClasses: row.d_classes,
    },
  };
}

export interface RunRef {
  orgId: string;
  runId: string;
}

/** queued → running (idempotent: a resumed run does not append a second RUN_STARTED). */
export async function markRunStarted(trx: Kysely<DB>, ref: RunRef): Promise<void> {
  const updated = await trx
    .updateTable('compression_runs')
    .set({ status: 'running', started_at: sql`coalesce(started_at, now())`, updated_at: sql`now()` })
    .where('id', '=', ref.runId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) await appendRunEvent(trx, { ...ref, type: 'RUN_STARTED' });
}

/** Records the current phase (e.g. 'validating', 'baseline', 'candidates') and tells subscribers. */
export async function setRunPhase(trx: Kysely<DB>, ref: RunRef & { phase: string }): Promise<void> {
  await trx.updateTable('compression_runs').set({ phase: ref.phase, updated_at: sql`now()` }).where('id', '=', ref.runId).execute();
  await appendRunEvent(trx, { orgId: ref.orgId, runId: ref.runId, type: 'PHASE_CHANGED', payload: { phase: ref.phase } });
}

/** Progress of one candidate (epoch, step, loss, metrics, samples/s, ETA) as a CANDIDATE_PROGRESS event. */
export async function recordCandidateProgress(
  trx: Kysely<DB>,
  ref: RunRef & {
    candidateKey: string;
    epoch?: number; epochs?: number; step?: number; steps?: number; loss?: number;
    metrics?: Record<string, number>; samplesPerSecond?: number; etaSeconds?: number; message?: string;
  },
): Promise<RunEvent> {
  const { orgId, runId, ...payload } = ref;
  return appendRunEvent(trx, { orgId, runId, type: 'CANDIDATE_PROGRESS', payload });
}

export interface CandidateRecord {
  key: string;
  /** Hardware target id the candidate was exported and checked for. */
  target: string;
  chain: TechniqueChoiceJson[];
  quantization?: string | null;
  ok: boolean;
  /** For ok = false: where it failed ('compress' | 'export' | 'evaluate') and why. */
  failureStage?: string | null;
  failureMessage?: string | null;
  accuracy?: number | null;
  /** Accuracy of the float model the file was exported from, on the same test samples. */
  sourceAccuracy?: number | null;
  /** ROC AUC, two-class datasets. */
  auc?: number | null;
  bytes?: number | null;
  /** gzip-compressed .tflite bytes. */
  downloadBytes?: number | null;
  parameterCount?: number | null;
  estimatedLatencyMs?: number | null;
  hostLatencyMs?: number | null;
  compressionRatio?: number | null;
  speedup?: number | null;
  fits?: boolean | null;
  fitFailures?: FitFailureJson[];
  tfliteSha256?: string | null;
  tfjsSha256?: string | null;
  notes?: string[];
}

/**
 * Stores a finished (or failed) candidate and appends CANDIDATE_FINISHED. Idempotent per
 * (run, key): a retried activity that records the same candidate again gets the same id back.
 */
export async function insertCandidate(trx: Kysely<DB>, ref: RunRef, candidate: CandidateRecord): Promise<string> {
  const existing = await trx
    .selectFrom('candidates')
    .select('id')
    .where('run_id', '=', ref.runId)
    .where('key', '=', candidate.key)
    .executeTakeFirst();
  if (existing) return existing.id;
  const row = await trx
    .insertInto('candidates')
    .values({
      org_id: ref.orgId,
      run_id: ref.runId,
      key: candidate.key,
      target: candidate.target,
      technique_chain: JSON.stringify(candidate.chain),
      quantization: candidate.quantization ?? null,
      status: candidate.ok ? 'succeeded' : 'failed',
      failure_stage: candidate.failureStage ?? null,
      failure_message: candidate.failureMessage ?? null,
      accuracy: candidate.accuracy ?? null,
      source_accuracy: candidate.sourceAccuracy ?? null,
      auc: candidate.auc ?? null,
      bytes: candidate.bytes ?? null,
      download_bytes: candidate.downloadBytes ?? null,
      parameter_count: candidate.parameterCount ?? null,
      estimated_latency_ms: candidate.estimatedLatencyMs ?? null,
      host_latency_ms: candidate.hostLatencyMs ?? null,
      compression_ratio: candidate.compressionRatio ?? null,
      speedup: candidate.speedup ?? null,
      fits: candidate.fits ?? null,
      fit_failures: JSON.stringify(candidate.fitFailures ?? []),
      tflite_sha256: candidate.tfliteSha256 ?? null,
      tfjs_sha256: candidate.tfjsSha256 ?? null,
      notes: JSON.stringify(candidate.notes ?? []),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendRunEvent(trx, {
    ...ref,
    type: 'CANDIDATE_FINISHED',
    payload: {
      candidateKey: candidate.key,
      candidateId: row.id,
      ok: candidate.ok,
      ...(candidate.ok ? {} : { message: candidate.failureMessage ?? 'failed' }),
    },
  });
  return row.id;
}

/** Sets the Pareto flag on exactly the given candidates of the run (all others false). */
export async function markParetoFront(trx: Kysely<DB>, ref: RunRef, candidateIds: string[]): Promise<void> {
  await trx.updateTable('candidates').set({ pareto: false }).where('run_id', '=', ref.runId).execute();
  if (candidateIds.length > 0) {
    await trx.updateTable('candidates').set({ pareto: true }).where('run_id', '=', ref.runId).where('id', 'in', candidateIds).execute();
  }
}

/**
 * Ends the run (succeeded | failed | cancelled) and appends the terminal event. A run that has
 * already ended is left as it is (returns false), so a late or repeated finish changes nothing.
 */
export async function finishRun(
  trx: Kysely<DB>,
  ref: RunRef & { status: 'succeeded' | 'failed' | 'cancelled'; message?: string },
): Promise<boolean> {
  const updated = await trx
    .updateTable('compression_runs')
    .set({ status: ref.status, message: ref.message ?? null, finished_at: sql`now()`, updated_at: sql`now()`, phase: 'done' })
    .where('id', '=', ref.runId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    const exists = await trx.selectFrom('compression_runs').select('id').where('id', '=', ref.runId).executeTakeFirst();
    if (!exists) throw new UnknownRunError(ref.runId);
    return false;
  }
  const type = ref.status === 'succeeded' ? 'RUN_SUCCEEDED' : ref.status === 'failed' ? 'RUN_FAILED' : 'RUN_CANCELLED';
  await appendRunEvent(trx, { orgId: ref.orgId, runId: ref.runId, type, payload: ref.message ? { message: ref.message } : {} });
  return true;
}

/** True once someone asked to cancel the run (the runner polls this between steps). */
export async function isCancelRequested(trx: Kysely<DB>, runId: string): Promise<boolean> {
  const row = await trx.selectFrom('compression_runs').select('cancel_requested_at').where('id', '=', runId).executeTakeFirst();
  return row?.cancel_requested_at != null;
}
