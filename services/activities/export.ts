// exportCandidate: the compressed model to a .tflite file for its target through the planner's
// exportForTarget (the same calibration and I/O rules the planner measures with), stored in the
// blob store next to its TF.js layers form.
import { exportForTarget, ioTypeFor } from '../planner/export.ts';
import { getTarget } from '../targets/index.ts';
import type { CompressedModel, ExportedCandidate, PlannedCandidate, RunRef } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { exportedDataset, gatherFreeBag, loadDataset, loadModelBlob, loadRun, textFrontEndFor } from './inputs.ts';
import { bagOfIdsModel } from '../engine/text/bag-of-ids-model.ts';
import { candidateMetadata, outputKindOf } from './model-metadata.ts';

export async function exportCandidate(
  deps: ActivityDeps,
  ctx: ActivityContext,
  input: RunRef & { candidate: PlannedCandidate; compressed: CompressedModel },
): Promise<ExportedCandidate> {
  const { candidate, compressed } = input;
  const run = await loadRun(deps, input);
  const dataset = await loadDataset(deps, run);
  const quantization = compressed.quantization ?? candidate.quantization;
  const calibration = deps.sizes?.calibrationSamples;
  const model = await loadModelBlob(deps, compressed.modelSha256);
  let result;
  // A target without GATHER gets the bag-of-ids form of an Embedding → pooling text model.
  const form = dataset.info.texts && gatherFreeBag(model, candidate.target) ? bagOfIdsModel(model) : null;
  try {
    const exported = form?.model ?? model;
    const metadata = candidateMetadata(run, dataset.info, candidate, quantization, outputKindOf(exported), await textFrontEndFor(deps, run, dataset, model, candidate.target));
    result = await exportForTarget(exported, quantization, ioTypeFor(candidate.target, quantization), exportedDataset(dataset, model, candidate.target), {
      metadata, sparseWeights: getTarget(candidate.target).sparseWeights, ...(calibration ? { calibrationSamples: calibration } : {}),
      ...(compressed.activationRanges ? { activationRanges: compressed.activationRanges } : {}),
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new NonRetryableError('ExportError', `cannot export ${candidate.key} as ${quantization}: ${(err as Error).message}`);
  } finally {
    form?.model.dispose();
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
