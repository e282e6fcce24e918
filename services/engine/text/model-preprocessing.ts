// What raw text a loaded model expects: a text ProjectionNet keeps its featuriser config in the
// config of its `LshProjection` layer, so the host (measuring a candidate) or an app can featurise
// raw text for it without any side channel.
import { checkFeaturizerConfig, type TextFeaturizerConfig } from '@condense/plugin-sdk';

interface LayerLike {
  getClassName(): string;
  getConfig(): object;
}

/** The featuriser of a text ProjectionNet (tfjs LayersModel), or undefined for other models. */
export function textFeaturizerOfModel(model: { layers: readonly LayerLike[] }): TextFeaturizerConfig | undefined {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'LshProjection') continue;
    const config = layer.getConfig() as { inputMode?: string; featurizer?: TextFeaturizerConfig };
    if (config.inputMode === 'text' && config.featurizer) return checkFeaturizerConfig(config.featurizer);
  }
  return undefined;
}
