// evaluateBaseline and evaluateCandidate: accuracy on the held-out test split, host latency in
// the TFLite interpreter, MACs, and the fit check against the candidate's hardware target.
import { exportTflite } from '../engine/export/index.ts';
import { countMacs, downloadBytes, evaluateModel, evaluateTflite, measureHostLatency } from '../engine/evaluate/index.ts';
import { checkTargetFit } from '../targets/index.ts';
import { fieldLatencyCalibration } from '../delivery/latency-calibration.ts';
import { withTenant } from '../db/tenant.ts';
import { setRunPhase } from '../runs-store/index.ts';
import type { BaselineMetrics, CandidateEvaluation, ExportedCandidate, PlannedCandidate, RunRef } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { datasetForModel, exportedDataset, loadBaseModel, loadDataset, loadModelBlob, loadRun } from './inputs.ts';

async function hostLatency(deps: ActivityDeps, bytes: Uint8Array): Promise<number | null> {
  const runs = deps.sizes?.latencyRuns ?? 30;
  if (runs <= 0) return null;
  return (await measureHostLatency(bytes, { runs, warmup: Math.min(5, runs) })).medianMs;
}

export async function evaluateBaseline(deps: ActivityDeps, ctx: ActivityContext, ref: RunRef): Promise<BaselineMetrics> {
  const run = await loadRun(deps, ref);
  await withTenant(deps.db, ref.orgId, (trx) => setRunPhase(trx, { ...ref, phase: 'baseline' }));
  const dataset = await loadDataset(deps, run);
  const model = await loadBaseModel(deps, run);
  try {
    const metrics = await evaluateModel(model, dataset, 'test', { limit: deps.sizes?.evalSamples });
    ctx.heartbeat();
    let exported;
    try {
      exported = await exportTflite(model, { quantization: 'float32' });
    } catch (err) {
      throw new NonRetryableError('InvalidInput', `the base model cannot be exported to TFLite: ${(err as Error).message}`);
    }
    ctx.heartbeat();
    return {
      accuracy: metrics.accuracy,
      parameterCount: model.countParams(),
      bytes: exported.bytes.length,
      downloadBytes: downloadBytes(exported.bytes),
      hostLatencyMs: await hostLatency(deps, exported.bytes),
    };
  } finally {
    model.dispose();
  }
}

export async function evaluateCandidate(
  deps: ActivityDeps,
  ctx: ActivityContext,
  input: RunRef & { candidate: PlannedCandidate; exported: ExportedCandidate },
): Promise<CandidateEvaluation> {
  const { candidate, exported } = input;
  const run = await loadRun(deps, input);
  const bytes = await deps.blobs.read(exported.tfliteSha256);
  const model = await loadModelBlob(deps, exported.tfjsSha256);
  let metrics;
  let hostLatencyMs: number | null;
  let macs: number;
  let parameterCount: number;
  let sourceAccuracy: number;
  try {
    // A text ProjectionNet reads featurised raw text, a user's text model token ids (the file for
    // a target without GATHER: their bag).
    const loaded = await loadDataset(deps, run);
    const dataset = datasetForModel(loaded, model);
    metrics = await evaluateTflite(bytes, exportedDataset(loaded, model, candidate.target), 'test', { limit: deps.sizes?.evalSamples });
    ctx.heartbeat();
    hostLatencyMs = await hostLatency(deps, bytes);
    macs = countMacs(model).total;
    parameterCount = model.countParams();
    // The float model the file was exported from, on the same samples: the export-fidelity rule.
    sourceAccuracy = (await evaluateModel(model, dataset, 'test', { limit: deps.sizes?.evalSamples })).accuracy;
  } finally {
    model.dispose();
  }
  // The run's latency limit is a constraint the judge (services/planner/select.ts) checks.
  const fit = checkTargetFit(
    candidate.target,
    { bytes: bytes.length, ops: exported.ops, tensorTypes: exported.tensorTypes, peakActivationBytes: exported.peakActivationBytes, macs, weightBytes: bytes.length },
  );
  // Where apps have reported enough about this project's published candidates on the target, the
  // estimate is scaled by what devices measured against what was estimated (docs/delivery.md).
  const calibration = await withTenant(deps.db, input.orgId, (trx) => fieldLatencyCalibration(trx, run.projectId, candidate.target));
  return {
    accuracy: metrics.accuracy,
    ...(metrics.auc === undefined ? {} : { auc: metrics.auc }),
    sourceAccuracy,
    downloadBytes: downloadBytes(bytes),
    hostLatencyMs,
    macs,
    parameterCount,
    fit: { fits: fit.fits, failures: fit.failures, estimatedLatencyMs: fit.estimatedLatencyMs * (calibration?.factor ?? 1) },
  };
}
