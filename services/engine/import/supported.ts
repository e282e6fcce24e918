// Layers Condense imports. Keras class names (aliases Keras accepts map to the canonical name).
import { ModelImportError } from './errors.ts';

export const SUPPORTED_LAYERS = [
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'BatchNormalization', 'Dropout', 'Flatten', 'Reshape', 'ZeroPadding2D',
  'Activation', 'ReLU', 'LeakyReLU', 'Softmax', 'Add', 'Multiply', 'Concatenate', 'Embedding', 'Rescaling',
  'PReLU', 'ELU', 'Cropping2D', 'UpSampling2D', 'Conv2DTranspose', 'Subtract', 'Maximum', 'Minimum', 'Permute',
  'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'Normalization',
  'LSTM', 'GRU', 'Bidirectional',
] as const;

const ALIASES: Record<string, string> = {
  Convolution1D: 'Conv1D', Convolution2D: 'Conv2D', SeparableConvolution2D: 'SeparableConv2D',
  MaxPool1D: 'MaxPooling1D', MaxPool2D: 'MaxPooling2D', AvgPool1D: 'AveragePooling1D', AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D', GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D', GlobalMaxPool2D: 'GlobalMaxPooling2D',
  Convolution2DTranspose: 'Conv2DTranspose', Deconvolution2D: 'Conv2DTranspose', Deconv2D: 'Conv2DTranspose',
};

const SUPPORTED = new Set<string>(SUPPORTED_LAYERS);

/** The canonical Keras class name for `className` (aliases resolved). */
export function canonicalLayerClass(className: unknown): string {
  return typeof className === 'string' ? (ALIASES[className] ?? className) : String(className);
}

/**
 * One ModelImportError naming every layer Condense cannot rebuild (Lambda, custom classes, ...),
 * so a user fixes the model once rather than layer by layer.
 */
export function rejectUnsupportedLayers(layers: { className: unknown; name: string }[], alsoAllowed: (className: string) => boolean = () => false): void {
  const bad = layers.filter((l) => !SUPPORTED.has(canonicalLayerClass(l.className)) && !alsoAllowed(canonicalLayerClass(l.className)));
  if (bad.length === 0) return;
  const listed = bad.slice(0, 10).map((l) => `${canonicalLayerClass(l.className)} ("${l.name}")`).join(', ');
  const more = bad.length > 10 ? ` and ${bad.length - 10} more` : '';
  const lambda = bad.some((l) => l.className === 'Lambda' || l.className === 'TFOpLambda')
    ? ' Lambda layers hold Python code that cannot be rebuilt: replace them with built-in layers before saving.'
    : '';
  const vectorization = bad.some((l) => l.className === 'TextVectorization')
    ? " TextVectorization runs string ops that TFLite builtins lack; Condense takes it as the model's text front end when the model is saved as .keras (model.save('m.keras'): its vocabulary is in the archive's assets) and the layer comes right after the string input (output_mode int, split whitespace, output_sequence_length set). Otherwise upload the model from its token-id input with tokenizer.json (Keras Tokenizer.to_json()) beside it, or upload the raw-text dataset and let Condense build ProjectionNet candidates, which need no vocabulary."
    : '';
  throw new ModelImportError(`unsupported layer${bad.length > 1 ? 's' : ''} ${listed}${more}; supported layers: ${SUPPORTED_LAYERS.join(', ')}.${lambda}${vectorization}`);
}

/** Keras activation names → TF.js names. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax',
  softplus: 'softplus', softsign: 'softsign', elu: 'elu', selu: 'selu', swish: 'swish', silu: 'swish',
  hard_sigmoid: 'hardSigmoid', hardSigmoid: 'hardSigmoid', log_softmax: 'logSoftmax', logSoftmax: 'logSoftmax',
  mish: 'mish', gelu: 'gelu',
  // Keras 3 names x·relu6(x+3)/6 hard_silu (alias hard_swish); registered in engine/layers.
  hard_silu: 'hardSwish', hard_swish: 'hardSwish', hardSwish: 'hardSwish',
};

export function supportedActivation(value: unknown, layerName: string): string {
  if (value === null || value === undefined) return 'linear';
  const name = typeof value === 'string' ? value : (value as { class_name?: string; config?: { name?: string } }).config?.name ?? (value as { class_name?: string }).class_name;
  const mapped = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!mapped) throw new ModelImportError(`unsupported activation ${JSON.stringify(name ?? value)} in layer "${layerName}"; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  return mapped;
}
