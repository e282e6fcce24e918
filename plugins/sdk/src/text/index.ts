// Text featurisation and LSH projection (since SDK 1.4.0): pure JavaScript, no tfjs — the same
// functions run in a plugin (training), in the host (measuring a candidate) and in an app
// (featurising a string for the exported model), so the three compute the same numbers.
export {
  DEFAULT_TEXT_FEATURIZER, checkFeaturizerConfig, describeTextPreprocessing, featurizeTextInto, featurizeTexts, ngramCounts,
  normalizeText, type TextFeaturizerConfig,
} from './featurize.ts';
export { fingerprint64, fingerprint64AsDouble, fingerprint64Key8 } from './farmhash.ts';
export { MAX_PROJECTION_BITS, float32Bits, lshProjectDense, lshProjectDenseJs, lshSeeds } from './lsh.ts';
export { lshProjectBatch, type LshInputMode, type LshProjectionSpec } from './project.ts';
// The LshProjection layer (since SDK 1.5.0): provided by the host (see HOST_LAYERS).
export { LSH_PROJECTION_CLASS, lshProjectionLayerClass, type LshProjectionLayerArgs } from './layer.ts';
