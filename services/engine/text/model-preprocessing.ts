// What raw text a loaded model expects: a text ProjectionNet keeps its featuriser config in the
// config of its `LshProjection` layer, so the host (measuring a candidate) or an app can featurise
// raw text for it without any side channel.
import { checkFeaturizerConfig, type TextFeaturizerConfig } from '../../../plugins/sdk/src/text/index.ts';

interface LayerLike {
  getClassName(): string;
  getConfig(): object;
}

/** The featuriser and LSH size of a text ProjectionNet (tfjs LayersModel), or undefined for other models. */
export function textProjectionOfModel(model: { layers: readonly LayerLike[] }): { featurizer: TextFeaturizerConfig; numHash: number; numBits: number; inFrontEnd?: boolean } | undefined {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'LshProjection') continue;
    const config = layer.getConfig() as { inputMode?: string; featurizer?: TextFeaturizerConfig; numHash?: number; numBits?: number; inFrontEnd?: boolean };
    if (config.inputMode === 'text' && config.featurizer) {
      // inFrontEnd: the model takes the projection bits, which the front end computes.
      return { featurizer: checkFeaturizerConfig(config.featurizer), numHash: config.numHash ?? 0, numBits: config.numBits ?? 0, ...(config.inFrontEnd ? { inFrontEnd: true } : {}) };
    }
  }
  return undefined;
}

/** The featuriser of a text ProjectionNet (tfjs LayersModel), or undefined for other models. */
export function textFeaturizerOfModel(model: { layers: readonly LayerLike[] }): TextFeaturizerConfig | undefined {
  return textProjectionOfModel(model)?.featurizer;
}

/** The rows of the Embedding table a model reads token ids with (its input_dim), or undefined
 * when it has none or several. A vocabulary-pruned model has fewer rows than its tokenizer's ids:
 * it reads the tokenizer with num_words = rows (tokenized-dataset.ts, the shipped front end). */
export function embeddingRowsOfModel(model: { layers: readonly LayerLike[] }): number | undefined {
  const embeddings = model.layers.filter((l) => l.getClassName() === 'Embedding');
  if (embeddings.length !== 1) return undefined;
  const rows = (embeddings[0].getConfig() as { inputDim?: number }).inputDim;
  return Number.isInteger(rows) ? rows : undefined;
}
