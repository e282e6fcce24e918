// The full-integer candidate: export post-training int8 with the host's exporter and measure the
// file in TFLite's interpreter; when its accuracy drop exceeds the budget, fine-tune
// quantization-aware and say so in the export hints. The tfjs simulation of int8 is kept as a
// diagnostic (and QAT's forward pass), but never decides: it can miss what the exporter writes.
import type { CandidateModel, LayersModel, PluginContext } from '@condense/plugin-sdk';
import type { QuantizationConfig } from './config.ts';
import { learnedRanges, quantizationAwareFineTune } from './qat.ts';
import { simulatePtq } from './simulate.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export async function int8Candidate(ctx: PluginContext, model: LayersModel, config: QuantizationConfig): Promise<CandidateModel> {
  const name = 'quantized-int8';
  const ptq = await simulatePtq(ctx, model, config.calibrationSamples, config.evaluationSamples);
  const exported = await ctx.export.evaluate(model, { quantization: 'int8', limit: config.evaluationSamples });
  const drop = ptq.floatAccuracy - exported.accuracy;
  const metrics: Record<string, number> = {
    floatAccuracy: ptq.floatAccuracy,
    exportedInt8Accuracy: exported.accuracy,
    exportedAccuracyDrop: drop,
    simulatedInt8Accuracy: ptq.int8Accuracy,
    simulatedAccuracyDrop: ptq.floatAccuracy - ptq.int8Accuracy,
    accuracyBudget: config.accuracyBudget,
    evaluationSamples: exported.samples,
    qat: 0,
  };
  ctx.log.info(`post-training int8 file: ${pct(exported.accuracy)} in TFLite vs float ${pct(ptq.floatAccuracy)} on ${exported.samples} samples (simulated ${pct(ptq.int8Accuracy)})`);
  if (Math.abs(exported.accuracy - ptq.int8Accuracy) > 0.02) {
    ctx.log.warn(`the int8 simulation (${pct(ptq.int8Accuracy)}) and the exported file (${pct(exported.accuracy)}) disagree; deciding on the file`);
  }
  if (!(drop > config.accuracyBudget)) {
    return {
      name,
      model,
      exportHints: { quantization: 'int8' },
      metrics,
      notes: `Post-training full-integer int8 (per-channel weights, calibrated activations); the exported file scores ${pct(exported.accuracy)} in TFLite vs float ${pct(ptq.floatAccuracy)}, within the ${pct(config.accuracyBudget)} budget.`,
    };
  }
  ctx.progress({ step: 0, message: `int8 drop ${pct(drop)} exceeds budget ${pct(config.accuracyBudget)}: quantization-aware fine-tuning`, candidate: name });
  const ranges = await quantizationAwareFineTune(ctx, model, {
    epochs: config.qatEpochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    calibrationSamples: config.calibrationSamples,
    samplesPerEpoch: config.samplesPerEpoch,
    emaDecay: config.emaDecay,
    candidate: name,
  });
  // The file is exported with the ranges QAT learned (not re-calibrated): measure that file.
  const activationRanges = learnedRanges(ranges);
  const qat = await simulatePtq(ctx, model, config.calibrationSamples, config.evaluationSamples);
  const qatExported = await ctx.export.evaluate(model, { quantization: 'int8', limit: config.evaluationSamples, activationRanges });
  Object.assign(metrics, { qat: 1, qatFloatAccuracy: qat.floatAccuracy, qatSimulatedInt8Accuracy: qat.int8Accuracy, qatExportedInt8Accuracy: qatExported.accuracy });
  return {
    name,
    model,
    exportHints: { quantization: 'int8', qat: true, activationRanges },
    metrics,
    notes: `The post-training int8 file lost ${pct(drop)} in TFLite (budget ${pct(config.accuracyBudget)}), so the model was fine-tuned quantization-aware for ${config.qatEpochs} epoch(s): exported int8 accuracy ${pct(exported.accuracy)} → ${pct(qatExported.accuracy)} with the activation ranges it learned.`,
  };
}
