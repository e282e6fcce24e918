// What raw text a loaded model expects: a text ProjectionNet keeps its featuriser config in the
// config of its `LshProjection` layer, so the host (measuring a candidate) or an app can featurise
// raw text for it without any side channel.
import { checkFeaturizerConfig, type TextFeaturizerConfig } from '../../../plugins/sdk/src/text/index.ts';

interface LayerLike {
  getClassName(): string;
  getConfig(): object;
}

/** The featuriser and LSH size of a text ProjectionNet (tfjs LayersModel), or undefined for other models. */
export function textProjectionOfModel(model: { layers: readonly LayerLike[] }): { featurizer: TextFeaturizerConfig; numHash: number; numBits: number } | undefined {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'LshProjection') continue;
    const config = layer.getConfig() as { inputMode?: string; featurizer?: TextFeaturizerConfig; numHash?: number; numBits?: number };
    if (config.inputMode === 'text' && config.featurizer) return { featurizer: checkFeaturizerConfig(config.featurizer), numHash: config.numHash ?? 0, numBits: config.numBits ?? 0 };
  }
  return undefined;
}

/** The featuriser of a text ProjectionNet (tfjs LayersModel), or undefined for other models. */
export function textFeaturizerOfModel(model: { layers: readonly LayerLike[] }): TextFeaturizerConfig | undefined {
  return textProjectionOfModel(model)?.featurizer;
}
