// @condense/plugin-projection: ProjectionNet (Ravi 2017, arXiv 1708.00630) for text (character
// and word n-grams of JSONL text) and dense vectors. LSH projections of the input (T hash
// functions × d bits, TFLite's LSH_PROJECTION with the ported farmhash) feed a small dense
// network trained jointly with a larger trainer network; the candidate exports to TFLite as
// LSH_PROJECTION + CAST + FULLY_CONNECTED.
import { definePlugin, outputsLogits, type CandidateModel, type LayersModel, type PluginContext, type Tf } from '@condense/plugin-sdk';
import {
  checkFeaturizerConfig, describeTextPreprocessing, lshSeeds, type LshInputMode, type TextFeaturizerConfig,
} from '@condense/plugin-sdk';
import { configSchema, type ProjectionConfig } from './config.ts';
import { prepareSplit } from './data.ts';
import { accuracyOn, trainJointly } from './joint.ts';
import { LSH_PROJECTION_CLASS, lshProjectionLayerClass } from './layer.ts';

export { LSH_PROJECTION_CLASS, lshProjectionLayerClass, type LshProjectionLayerArgs } from './layer.ts';
export type { ProjectionConfig } from './config.ts';

/** The text featuriser a config implies (what apps must run on raw text before the model). */
export function featurizerFromConfig(c: Pick<ProjectionConfig, 'maxFeatures' | 'wordNgrams' | 'charNgrams'>): TextFeaturizerConfig {
  return checkFeaturizerConfig({ maxFeatures: c.maxFeatures, wordNgrams: [...c.wordNgrams], charNgrams: [...c.charNgrams], idSpace: 1 << 22, maxChars: 10000 });
}

function denseStack(tf: Tf, inputWidth: number, hidden: number, classes: number, seed: number, outActivation: 'linear' | 'softmax', prefix: string): LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const layers = hidden > 0
    ? [
      tf.layers.dense({ inputShape: [inputWidth], units: hidden, activation: 'relu', kernelInitializer: init(1), name: `${prefix}_hidden` }),
      tf.layers.dense({ units: classes, activation: outActivation, kernelInitializer: init(2), name: `${prefix}_out` }),
    ]
    : [tf.layers.dense({ inputShape: [inputWidth], units: classes, activation: outActivation, kernelInitializer: init(2), name: `${prefix}_out` })];
  return tf.sequential({ layers });
}

/** The exportable ProjectionNet: input → LshProjection → the trained dense layers (softmax out). */
function buildExportModel(ctx: PluginContext, head: LayersModel, mode: LshInputMode, inputShape: number[], c: ProjectionConfig, classes: number, featurizer: TextFeaturizerConfig): LayersModel {
  const { tf } = ctx;
  const Lsh = lshProjectionLayerClass(tf);
  const input = tf.input({ shape: inputShape, name: 'projection_input' });
  let x = input;
  if (mode === 'vector' && inputShape.length > 1) x = tf.layers.flatten().apply(x) as typeof x;
  x = new Lsh({ numHash: c.numHash, numBits: c.numBits, inputMode: mode, ...(mode === 'text' ? { featurizer } : {}), name: 'lsh_projection' }).apply(x) as typeof x;
  const dense = denseStack(tf, c.numHash * c.numBits, c.hiddenUnits, classes, c.seed, 'softmax', 'projection');
  for (const layer of dense.layers) x = layer.apply(x) as typeof x;
  const model = tf.model({ inputs: input, outputs: x, name: 'projection_net' });
  dense.setWeights(head.getWeights());
  return model;
}

export default definePlugin<ProjectionConfig>({
  manifest: {
    name: 'projection',
    version: '1.1.0',
    sdk: '^1.4.0',
    kind: 'projection',
    summary: 'ProjectionNet: LSH projections + a tiny dense net trained jointly with a trainer network (text and vectors), TFLite LSH_PROJECTION.',
    hardwareTargets: ['cpu-fp32', 'cpu-int8', 'gpu-fp16', 'browser-wasm'],
    configSchema,
    customLayers: [LSH_PROJECTION_CLASS],
  },
  hooks: {
    registerLayers({ tf, registerClass }) {
      registerClass(lshProjectionLayerClass(tf) as unknown as Parameters<typeof registerClass>[0]);
    },

    async compress(ctx, c) {
      const { tf } = ctx;
      const info = ctx.data.info;
      const mode: LshInputMode = info.kind === 'text' ? 'text' : 'vector';
      lshSeeds(c.numHash, c.numBits); // one-line error for T·d out of range, before any work
      const featurizer = featurizerFromConfig(c);
      const classes = info.numClasses;
      const started = Date.now();
      const prep = { mode, numHash: c.numHash, numBits: c.numBits, featurizer, trainerBuckets: c.trainerBuckets };
      const train = await prepareSplit(ctx, 'train', { ...prep, limit: c.samplesPerEpoch || undefined });
      if (train.size === 0) throw new Error('the training split is empty');
      const validation = info.splits.validation > 0 ? await prepareSplit(ctx, 'validation', prep) : { ...train };
      ctx.log.info('projected inputs', { train: train.size, validation: validation.size, bits: c.numHash * c.numBits, seconds: (Date.now() - started) / 1000 });

      // Trainer: for text a full network over the bag of hashed n-grams; for vectors the input model.
      const trainerShape = mode === 'text' ? [c.trainerBuckets] : info.inputShape;
      const trainer = mode === 'text'
        ? denseStack(tf, c.trainerBuckets, c.trainerHiddenUnits, classes, c.seed + 7, 'linear', 'trainer')
        : ctx.model;
      const trainerFromLogits = outputsLogits(trainer);
      const bitsWidth = c.numHash * c.numBits;
      const head = denseStack(tf, bitsWidth, c.hiddenUnits, classes, c.seed, 'linear', 'projection');
      const name = `projection-${c.numHash}x${c.numBits}`;
      const { history } = await trainJointly(ctx, trainer, head, train, validation, {
        epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate, distillationWeight: c.distillationWeight,
        temperature: c.temperature, trainerFromLogits, trainerShape, seed: c.seed, candidate: name,
      });
      const validationAccuracy = accuracyOn(ctx, head, validation, 'bits', [bitsWidth]);
      const trainerValidationAccuracy = accuracyOn(ctx, trainer, validation, 'trainer', trainerShape);
      const inputShape = mode === 'text' ? [2, featurizer.maxFeatures] : info.inputShape;
      const model = buildExportModel(ctx, head, mode, inputShape, c, classes, featurizer);
      if (trainer !== ctx.model) trainer.dispose();
      head.dispose();
      const preprocessing = mode === 'text'
        ? describeTextPreprocessing(featurizer)
        : `none: the model takes the dataset's float32 input [batch, ${info.inputShape}] (element i hashed as int32 i, weighted by x_i)`;
      const candidate: CandidateModel = {
        name,
        model,
        notes: `ProjectionNet (${c.numHash}×${c.numBits} LSH bits → ${c.hiddenUnits > 0 ? `${c.hiddenUnits} hidden → ` : ''}${classes}), trained jointly with a trainer network for ${history.length} epochs (λ=${c.distillationWeight}). Preprocessing: ${preprocessing}. TFLite runs one sample per invocation.`,
        exportHints: { quantization: c.quantization },
        metrics: {
          validationAccuracy,
          trainerValidationAccuracy,
          projectionBits: bitsWidth,
          numHash: c.numHash,
          numBits: c.numBits,
          maxFeatures: mode === 'text' ? featurizer.maxFeatures : undefined,
          textInput: mode === 'text' ? 1 : 0,
          trainSamples: train.size,
        },
      };
      return [candidate];
    },
  },
});
