// The standard TFLite metadata of a candidate's file: what an app needs to use it — the model's
// name and version, what was done to it, how to prepare the input, and what the output means.
import type { tf } from '../engine/backend/index.ts';
import type { DatasetInfo } from '../engine/data/types.ts';
import type { OutputKind, TfliteMetadata } from '../engine/export/index.ts';
import { frontEndFiles, tokenLength, type TextFrontEnd } from '../engine/text/index.ts';
import type { RunForExecution } from '../runs-store/index.ts';
import type { ExportQuantization, PlannedCandidate } from '../../workflows/types.ts';

/** softmax (or a single sigmoid unit) gives probabilities; a linear last layer gives logits. */
export function outputKindOf(model: tf.LayersModel): OutputKind {
  const last = model.layers.at(-1);
  const activation = String((last?.getConfig() as { activation?: unknown } | undefined)?.activation ?? 'linear');
  if (activation === 'softmax' || activation === 'sigmoid') return 'probabilities';
  if (last?.getClassName() === 'Softmax' || last?.getClassName() === 'Activation') return activation === 'linear' ? 'logits' : 'probabilities';
  return 'logits';
}

const FRONT_END_NOTE = 'text_front_end.json; featurizeWithFrontEnd in services/engine/text';

export function candidateMetadata(
  run: Pick<RunForExecution, 'id' | 'model'>, dataset: DatasetInfo, candidate: PlannedCandidate, quantization: string, kind: OutputKind,
  frontEnd?: TextFrontEnd,
): TfliteMetadata {
  const techniques = candidate.chain.map((step) => step.plugin).join(' → ') || 'no technique';
  const [height, width, channels] = dataset.inputShape;
  const image = dataset.kind === 'tensor' && dataset.inputShape.length === 3 && (channels === 1 || channels === 3);
  return {
    name: run.model.name,
    version: `v${run.model.version}+${candidate.key}`,
    description: `${run.model.name} v${run.model.version} compressed by Condense for ${candidate.target} (${techniques}; ${quantization}), run ${run.id}.`,
    author: 'Condense',
    license: '',
    input: frontEnd ? {
      name: 'text',
      description: frontEnd.kind === 'ngram-lsh'
        ? `Raw text featurised to [2, ${frontEnd.featurizer.maxFeatures}] hashed n-gram ids and weights (${FRONT_END_NOTE})`
        : `Raw text as ${tokenLength(frontEnd)} token ids through the model's Keras ${frontEnd.kind === 'keras-tokenizer' ? 'tokenizer' : 'TextVectorization vocabulary'}${frontEnd.bag ? `, then their bag [${frontEnd.bag.rows}] (${frontEnd.bag.weighting === 'count' ? 'counts' : 'fractions'} of each id)` : ''} (${FRONT_END_NOTE})`,
      colorSpace: null,
      normalization: null,
      files: frontEndFiles(frontEnd),
    } : {
      name: dataset.kind === 'text' ? 'text' : image ? 'image' : 'features',
      description: dataset.kind === 'text'
        ? 'Raw text'
        : image ? `${height}×${width} image, ${channels === 1 ? 'grey' : 'RGB'}, channels last` : `Features, shape [${dataset.inputShape.join(', ')}]`,
      colorSpace: image ? (channels === 1 ? 'GRAYSCALE' : 'RGB') : null,
      // The model was trained on raw × inputScale, i.e. (raw − 0) / (1 / inputScale).
      normalization: dataset.kind === 'tensor' && dataset.inputScale !== 1 ? { mean: [0], std: [1 / dataset.inputScale] } : null,
    },
    output: {
      description: kind === 'probabilities' ? 'Probability of each class' : 'Score (logit) of each class; the largest is the prediction',
      kind,
      labels: dataset.labels,
    },
  };
}

/** Characters a candidate's name (its key between "target:" and "+format") may take in the room
 * stepMetadata keeps; the planner's names are up to ~30 (prune-size-50-distill, student names). */
export const CANDIDATE_NAME_ROOM = 48;
const LONGEST_QUANTIZATION: ExportQuantization = 'dynamic-int8';

/**
 * The metadata of a file made from a plan step's models, at its largest: what ctx.export.evaluate
 * writes into the files it measures (services/plugins/worker/export-helpers.ts), so a plugin that
 * sizes a model to a byte budget counts the metadata and labels users get with it. A step runs
 * before — and for several — candidates, so the candidate's own strings are room, not its values:
 * the run's longest target, a name of CANDIDATE_NAME_ROOM characters, a chain of every installed
 * technique, the longest quantization name and the longer (logits) output description. Everything
 * else (model name and version, run id, input, labels) is the run's own. Tensor datasets only (the
 * only ones ctx.export measures): no text front-end files.
 */
export function stepMetadata(
  run: Pick<RunForExecution, 'id' | 'model'>, dataset: DatasetInfo, targets: readonly string[], techniques: readonly string[],
): TfliteMetadata {
  const target = [...targets].sort((a, b) => b.length - a.length)[0] ?? '';
  const room: PlannedCandidate = {
    key: `${target}:${'x'.repeat(CANDIDATE_NAME_ROOM)}+${LONGEST_QUANTIZATION}`,
    chain: techniques.map((plugin) => ({ plugin, config: {} })),
    target,
    quantization: LONGEST_QUANTIZATION,
  };
  return candidateMetadata(run, dataset, room, LONGEST_QUANTIZATION, 'logits');
}
