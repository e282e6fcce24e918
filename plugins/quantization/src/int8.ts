// The full-integer candidate: simulate post-training int8; when the accuracy drop exceeds the
// budget, fine-tune quantization-aware and say so in the export hints.
import type { CandidateModel, LayersModel, PluginContext } from '@condense/plugin-sdk';
import type { QuantizationConfig } from './config.ts';
import { quantizationAwareFineTune } from './qat.ts';
import { simulatePtq } from './simulate.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export async function int8Candidate(ctx: PluginContext, model: LayersModel, config: QuantizationConfig): Promise<CandidateModel> {
  const name = 'quantized-int8';
  const ptq = await simulatePtq(ctx, model, config.calibrationSamples, config.evaluationSamples);
  const drop = ptq.floatAccuracy - ptq.int8Accuracy;
  const metrics: Record<string, number> = {
    floatAccuracy: ptq.floatAccuracy,
    simulatedInt8Accuracy: ptq.int8Accuracy,
    simulatedAccuracyDrop: drop,
    accuracyBudget: config.accuracyBudget,
    evaluationSamples: ptq.samples,
    qat: 0,
  };
  ctx.log.info(`simulated post-training int8: ${pct(ptq.int8Accuracy)} vs float ${pct(ptq.floatAccuracy)} on ${ptq.samples} samples`);
  if (!(drop > config.accuracyBudget)) {
    return {
      name,
      model,
      exportHints: { quantization: 'int8' },
      metrics,
      notes: `Post-training full-integer int8 (per-channel weights, calibrated activations); simulated accuracy ${pct(ptq.int8Accuracy)} vs float ${pct(ptq.floatAccuracy)}, within the ${pct(config.accuracyBudget)} budget.`,
    };
  }
  ctx.progress({ step: 0, message: `int8 drop ${pct(drop)} exceeds budget ${pct(config.accuracyBudget)}: quantization-aware fine-tuning`, candidate: name });
  await quantizationAwareFineTune(ctx, model, {
    epochs: config.qatEpochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    calibrationSamples: config.calibrationSamples,
    samplesPerEpoch: config.samplesPerEpoch,
    emaDecay: config.emaDecay,
    candidate: name,
  });
  const qat = await simulatePtq(ctx, model, config.calibrationSamples, config.evaluationSamples);
  Object.assign(metrics, { qat: 1, qatFloatAccuracy: qat.floatAccuracy, qatSimulatedInt8Accuracy: qat.int8Accuracy });
  return {
    name,
    model,
    exportHints: { quantization: 'int8', qat: true },
    metrics,
    notes: `Post-training int8 lost ${pct(drop)} (budget ${pct(config.accuracyBudget)}), so the model was fine-tuned quantization-aware for ${config.qatEpochs} epoch(s): simulated int8 accuracy ${pct(ptq.int8Accuracy)} → ${pct(qat.int8Accuracy)}.`,
  };
}
