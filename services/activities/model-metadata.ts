// The standard TFLite metadata of a candidate's file: what an app needs to use it — the model's
// name and version, what was done to it, how to prepare the input, and what the output means.
import type { tf } from '../engine/backend/index.ts';
import type { DatasetInfo } from '../engine/data/types.ts';
import type { OutputKind, TfliteMetadata } from '../engine/export/index.ts';
import { frontEndFiles, tokenLength, type TextFrontEnd } from '../engine/text/index.ts';
import type { RunForExecution } from '../runs-store/index.ts';
import type { PlannedCandidate } from '../../workflows/types.ts';

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
  run: Pick<RunForExecution, 'id' | 'model'>, dataset: DatasetInfo, candidate: PlannedCandidate, quantization: string, model: tf.LayersModel,
  frontEnd?: TextFrontEnd,
): TfliteMetadata {
  const techniques = candidate.chain.map((step) => step.plugin).join(' → ') || 'no technique';
  const [height, width, channels] = dataset.inputShape;
  const image = dataset.kind === 'tensor' && dataset.inputShape.length === 3 && (channels === 1 || channels === 3);
  const kind = outputKindOf(model);
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
