// @condense/plugin-projection: ProjectionNet (Ravi 2017, arXiv 1708.00630) for text (character
// and word n-grams of JSONL text) and dense vectors. LSH projections of the input (T hash
// functions × d bits, TFLite's LSH_PROJECTION with the ported farmhash) feed a small dense
// network trained jointly with a larger trainer network; the candidate exports to TFLite as
// LSH_PROJECTION + CAST + FULLY_CONNECTED.
import { definePlugin, outputsLogits, type CandidateModel, type LayersModel, type PluginContext, type Tensor, type Tf } from '@condense/plugin-sdk';
import {
  checkFeaturizerConfig, describeTextPreprocessing, LSH_PROJECTION_CLASS, lshProjectionLayerClass, lshSeeds, type LshInputMode, type TextFeaturizerConfig,
} from '@condense/plugin-sdk';
import { configSchema, type ProjectionConfig } from './config.ts';
import { prepareSplit } from './data.ts';
import { accuracyOn, trainJointly } from './joint.ts';
export type { ProjectionConfig } from './config.ts';

/** The text featuriser a config implies (what apps must run on raw text before the model). */
export function featurizerFromConfig(c: Pick<ProjectionConfig, 'maxFeatures' | 'wordNgrams' | 'charNgrams'>): TextFeaturizerConfig {
  return checkFeaturizerConfig({ maxFeatures: c.maxFeatures, wordNgrams: [...c.wordNgrams], charNgrams: [...c.charNgrams], idSpace: 1 << 22, maxChars: 10000 });
}

function sameShape(a: readonly (number | null)[] | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && a.every((d, i) => d === b[i]);
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

/** The heads train on centred bits 2b − 1 (data.ts); the exported graph computes b ∈ {0, 1}, so
 * the first layer absorbs the shift, exactly: W·(2b − 1) + c = (2W)·b + (c − Σ_i W_i). */
function foldCentredBits(tf: Tf, kernel: Tensor, bias: Tensor): [Tensor, Tensor] {
  return tf.tidy(() => [tf.mul(kernel, 2) as Tensor, tf.sub(bias, tf.sum(kernel, 0)) as Tensor]);
}

/** The exportable ProjectionNet: input → LshProjection → the trained dense layers (softmax out). */
function buildExportModel(ctx: PluginContext, head: LayersModel, mode: LshInputMode, inputShape: number[], c: ProjectionConfig, classes: number, featurizer: TextFeaturizerConfig): LayersModel {
  const { tf } = ctx;
  const Lsh = lshProjectionLayerClass(tf);
  // Hashing in the front end: the model's input is the T·d bits.
  const inFrontEnd = mode === 'text' && c.hashing === 'front-end';
  const input = tf.input({ shape: inFrontEnd ? [c.numHash * c.numBits] : inputShape, name: 'projection_input' });
  let x = input;
  if (mode === 'vector' && inputShape.length > 1) x = tf.layers.flatten().apply(x) as typeof x;
  x = new Lsh({ numHash: c.numHash, numBits: c.numBits, inputMode: mode, ...(mode === 'text' ? { featurizer } : {}), ...(inFrontEnd ? { inFrontEnd } : {}), name: 'lsh_projection' }).apply(x) as typeof x;
  const dense = denseStack(tf, c.numHash * c.numBits, c.hiddenUnits, classes, c.seed, 'softmax', 'projection');
  for (const layer of dense.layers) x = layer.apply(x) as typeof x;
  const model = tf.model({ inputs: input, outputs: x, name: 'projection_net' });
  const [kernel, bias, ...rest] = head.getWeights();
  const folded = foldCentredBits(tf, kernel, bias);
  dense.setWeights([...folded, ...rest]);
  tf.dispose(folded);
  return model;
}

export default definePlugin<ProjectionConfig>({
  manifest: {
    name: 'projection',
    version: '1.3.0',
    sdk: '^1.5.0',
    kind: 'projection',
    summary: 'ProjectionNet: LSH projections + a tiny dense net trained jointly with a trainer network (text and vectors), TFLite LSH_PROJECTION.',
    hardwareTargets: ['cpu-fp32', 'cpu-int8', 'gpu-fp16', 'browser-wasm'],
    configSchema,
    // The SDK's LshProjection layer, which the host provides (registered and exported by the engine).
    customLayers: [LSH_PROJECTION_CLASS],
  },
  hooks: {
    async compress(ctx, c) {
      const { tf } = ctx;
      const info = ctx.data.info;
      // Raw text, or a tensor view of text (token ids) whose batches carry the texts too.
      const mode: LshInputMode = info.kind === 'text' || info.texts ? 'text' : 'vector';
      const sizes = c.sizes.length > 0 ? c.sizes : [{ numHash: c.numHash, hiddenUnits: c.hiddenUnits }];
      const maxHash = Math.max(...sizes.map((s) => s.numHash));
      lshSeeds(maxHash, c.numBits); // one-line error for T·d out of range, before any work
      const featurizer = featurizerFromConfig(c);
      const classes = info.numClasses;
      // Text: the run's own text model is the trainer when it reads the token ids the batches carry.
      const modelReadsX = mode === 'text' && info.kind === 'tensor' && sameShape(ctx.model.inputs[0]?.shape.slice(1), info.inputShape);
      if (c.trainer === 'model' && mode === 'text' && !modelReadsX) throw new Error(`trainer 'model' needs a dataset of the model's input (token ids) beside the texts; this one gives ${info.kind === 'text' ? 'raw text only' : `[${info.inputShape}]`}`);
      const trainerReadsX = mode === 'text' && (c.trainer === 'model' || (c.trainer === 'auto' && modelReadsX));
      const started = Date.now();
      const prep = { mode, numHash: maxHash, numBits: c.numBits, featurizer, trainerBuckets: c.trainerBuckets, trainerReadsX };
      const train = await prepareSplit(ctx, 'train', { ...prep, limit: c.samplesPerEpoch || undefined });
      if (train.size === 0) throw new Error('the training split is empty');
      const validation = info.splits.validation > 0 ? await prepareSplit(ctx, 'validation', prep) : { ...train };
      ctx.log.info('projected inputs', { train: train.size, validation: validation.size, bits: maxHash * c.numBits, seconds: (Date.now() - started) / 1000 });

      // Trainer: the input model (vectors; text read as token ids) or a network over the bag of hashed n-grams.
      const ownTrainer = mode === 'text' && !trainerReadsX;
      const trainerShape = ownTrainer ? [c.trainerBuckets] : info.inputShape;
      const trainer = ownTrainer ? denseStack(tf, c.trainerBuckets, c.trainerHiddenUnits, classes, c.seed + 7, 'linear', 'trainer') : ctx.model;
      const trainerFromLogits = outputsLogits(trainer);
      const heads = sizes.map((s, k) => ({
        size: s,
        width: s.numHash * c.numBits,
        model: denseStack(tf, s.numHash * c.numBits, s.hiddenUnits, classes, c.seed + k, 'linear', 'projection'),
      }));
      const nameOf = (s: { numHash: number; hiddenUnits: number }) => (c.sizes.length > 0 ? `projection-${s.numHash}x${c.numBits}-h${s.hiddenUnits}` : `projection-${s.numHash}x${c.numBits}`);
      const { history } = await trainJointly(ctx, trainer, heads, train, validation, {
        epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate, distillationWeight: c.distillationWeight,
        temperature: c.temperature, trainerFromLogits, trainerShape, seed: c.seed, candidate: sizes.map(nameOf).join(', '),
      });
      const trainerValidationAccuracy = accuracyOn(ctx, trainer, validation, 'trainer', trainerShape);
      const inputShape = mode === 'text' ? [2, featurizer.maxFeatures] : info.inputShape;
      const preprocessing = mode === 'text'
        ? `${describeTextPreprocessing(featurizer)}${c.hashing === 'front-end' ? '; then the LSH projection bits (lshProjectBatch), which the model takes as input' : ''}`
        : `none: the model takes the dataset's float32 input [batch, ${info.inputShape}] (element i hashed as int32 i, weighted by x_i)`;
      const trainerNote = ownTrainer ? 'a bag-of-n-grams trainer network' : 'the run\'s model as trainer';
      const candidates: CandidateModel[] = [];
      for (const head of heads) {
        const cfg = { ...c, numHash: head.size.numHash, hiddenUnits: head.size.hiddenUnits };
        const validationAccuracy = accuracyOn(ctx, head.model, validation, 'bits', [head.width]);
        candidates.push({
          name: nameOf(head.size),
          model: buildExportModel(ctx, head.model, mode, inputShape, cfg, classes, featurizer),
          notes: `ProjectionNet (${head.size.numHash}×${c.numBits} LSH bits → ${head.size.hiddenUnits > 0 ? `${head.size.hiddenUnits} hidden → ` : ''}${classes}), trained jointly with ${trainerNote} for ${history.length} epochs (λ=${c.distillationWeight}). Preprocessing: ${preprocessing}. TFLite runs one sample per invocation.`,
          exportHints: { quantization: c.quantization },
          metrics: {
            validationAccuracy,
            trainerValidationAccuracy,
            projectionBits: head.width,
            numHash: head.size.numHash,
            numBits: c.numBits,
            hiddenUnits: head.size.hiddenUnits,
            maxFeatures: mode === 'text' ? featurizer.maxFeatures : undefined,
            textInput: mode === 'text' ? 1 : 0,
            trainerIsModel: ownTrainer ? 0 : 1,
            trainSamples: train.size,
          },
        });
        head.model.dispose();
      }
      if (trainer !== ctx.model) trainer.dispose();
      return candidates;
    },
  },
});
