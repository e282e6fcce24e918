// Text featurisation and LSH projection shared by the projection plugin, the host and apps.
// Pure JavaScript (no tfjs): safe to import anywhere. TFLite evaluation of text models lives in
// ./evaluate-tflite.ts and the SpamAssassin corpus in ./spam-assassin.ts (separate imports).
// The featuriser and the LSH projection live in the plugin SDK (plugins import nothing else),
// imported by path: isolated children run a bundle that reads node_modules only, and the SDK
// package is a symlink out of it.
export {
  DEFAULT_TEXT_FEATURIZER, checkFeaturizerConfig, describeTextPreprocessing, featurizeTextInto, featurizeTexts, ngramCounts,
  normalizeText, type TextFeaturizerConfig, fingerprint64, fingerprint64AsDouble, fingerprint64Key8, MAX_PROJECTION_BITS,
  float32Bits, lshProjectDense, lshProjectDenseJs, lshSeeds, lshProjectBatch, type LshInputMode, type LshProjectionSpec,
} from '../../../plugins/sdk/src/text/index.ts';
export { embeddingRowsOfModel, textFeaturizerOfModel, textProjectionOfModel } from './model-preprocessing.ts';
export {
  fitKerasTokenizer, kerasTokenizerJson, padSequence, parseKerasTokenizer, textToSequence, textToWordSequence, tokenizeTexts, TokenizerError, type KerasTokenizer, type PaddingOptions,
} from './keras-tokenizer.ts';
export { frontEndOfDataset, tokenIdsDataset, tokenizedDataset, withVocabularyRows } from './tokenized-dataset.ts';
export { tokenFrontEndForRows, tokenIds, tokenInput, tokenLength, tokenRows, type TokenFrontEnd } from './token-front-end.ts';
export { bagOfIds, bagOfIdsDataset, type BagOfIds } from './bag-of-ids.ts';
export {
  parseVocabularyFile, standardizeText, TextVectorizationError, textVectorizerFromConfig, vectorizerTokens, vectorizeText, vectorizeTexts, type TextVectorizer,
} from './text-vectorization.ts';
export { featurizedDataset, projectedDataset } from './featurized-dataset.ts';
export {
  FRONT_END_FILE, VOCABULARY_FILE, FrontEndError, featurizeWithFrontEnd, frontEndFiles, frontEndFromFiles, frontEndInputShape, textFrontEndOfTflite,
  type FrontEndFile, type TextFrontEnd,
} from './front-end.ts';
