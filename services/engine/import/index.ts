// Public API of model import.
export { importModel, inspectModel, DEFAULT_MAX_MODEL_BYTES } from './import-model.ts';
export { ModelImportError } from './errors.ts';
export { readTextFrontEnd, separateTextVectorization, tokenFrontEndFor, TOKENIZER_FILE, VECTORIZER_VOCABULARY_FILE, type TextFrontEnd } from './text-front-end.ts';
export { SUPPORTED_LAYERS } from './supported.ts';
export { normalizeKerasModelConfig } from './keras-config.ts';
export type { ImportedModel, ImportOptions, ModelFormat, ModelMetadata, ModelSignature, ModelSource, TensorSpec } from './types.ts';
