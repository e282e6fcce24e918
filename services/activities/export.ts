// exportCandidate: the compressed model to a .tflite file in the candidate's quantization
// (int8 calibrated on training samples; int8 I/O for targets that run no float tensors) and
// stored in the blob store next to its TF.js layers form.
import { getTarget } from '../targets/index.ts';
import { exportTflite } from '../engine/export/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import type { CompressedModel, ExportedCandidate, PlannedCandidate, RunRef } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { loadDataset, loadModelBlob, loadRun } from './inputs.ts';

async function* calibrationSamples(dataset: Dataset, limit: number): AsyncIterable<Float32Array> {
  for await (const batch of dataset.batches('train', 32, { limit, shuffleSeed: 7 })) {
    if (batch.x) yield batch.x;
  }
}

export async function exportCandidate(
  deps: ActivityDeps,
  ctx: ActivityContext,
  input: RunRef & { candidate: PlannedCandidate; compressed: CompressedModel },
): Promise<ExportedCandidate> {
  const { candidate, compressed } = input;
  const run = await loadRun(deps, input);
  const dataset = await loadDataset(deps, run);
  const target = getTarget(candidate.target);
  const quantization = compressed.quantization ?? candidate.quantization;
  const calibration = deps.sizes?.calibrationSamples ?? 200;
  const model = await loadModelBlob(deps, compressed.modelSha256);
  let result;
  try {
    result = await exportTflite(model, {
      quantization,
      ...(quantization === 'int8' ? { representativeData: calibrationSamples(dataset, calibration), calibrationSamples: calibration } : {}),
      ioType: quantization === 'int8' && !target.tensorTypes.includes('float32') ? 'int8' : 'float32',
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new NonRetryableError('ExportError', `cannot export ${candidate.key} as ${quantization}: ${(err as Error).message}`);
  } finally {
    model.dispose();
  }
  ctx.heartbeat();
  const stored = await deps.blobs.put(result.bytes);
  return {
    tfliteSha256: stored.sha256,
    // The compressed model is already stored as a TF.js layers zip: that is the tfjs artifact.
    tfjsSha256: compressed.modelSha256,
    bytes: result.bytes.length,
    ops: result.ops,
    tensorTypes: result.tensorTypes,
    peakActivationBytes: result.peakActivationBytes,
    quantization,
  };
}
