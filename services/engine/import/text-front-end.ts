// A text model's front end, uploaded with the model:
// - a Keras Tokenizer saved with `tokenizer.to_json()` as `tokenizer.json` in the model's zip
//   (beside model.json) or in a `.keras` archive's `assets/`. Optional top-level "padding" /
//   "truncating" ("pre" or "post", Keras' pad_sequences default "pre") say how sequences were
//   fitted to the model's length;
// - a Keras TextVectorization layer right after the model's string input in a `.keras` file: the
//   importer drops the layer (`separateTextVectorization`, the model then reads its token ids) and
//   the layer becomes the front end, with its vocabulary from the config, from the archive's
//   `assets/**/vocabulary.txt` (what Keras saves) or from a `vocabulary.txt` beside config.json.
import { isZip, unzipCapped } from '../data/archive.ts';
import { parseKerasTokenizer, TokenizerError, type KerasTokenizer } from '../text/keras-tokenizer.ts';
import { parseVocabularyFile, TextVectorizationError, textVectorizerFromConfig, type TextVectorizer } from '../text/text-vectorization.ts';
import { ModelImportError } from './errors.ts';
import type { TokenFrontEnd } from '../text/token-front-end.ts';
import type { ModelSource } from './types.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const VECTORIZER_VOCABULARY_FILE = 'vocabulary.txt';

export type TextFrontEnd =
  | { kind: 'keras-tokenizer'; tokenizer: KerasTokenizer; padding: 'pre' | 'post'; truncating: 'pre' | 'post' }
  | { kind: 'text-vectorization'; vectorizer: TextVectorizer; length: number };

function filesOf(source: ModelSource): Map<string, Uint8Array> {
  if ('files' in source) return source.files;
  if (!isZip(source.bytes)) return new Map();
  try {
    return unzipCapped(source.bytes, source.filename);
  } catch (err) {
    throw new ModelImportError((err as Error).message);
  }
}

/** The model upload's front end (tokenizer.json, or a TextVectorization layer), or undefined when it carries none. */
export function readTextFrontEnd(source: ModelSource): TextFrontEnd | undefined {
  const files = filesOf(source);
  const vectorization = readTextVectorization(files, 'filename' in source ? source.filename : 'the model upload');
  const entries = [...files].filter(([path]) => path.split('/').pop() === TOKENIZER_FILE);
  if (vectorization && entries.length > 0) throw new ModelImportError(`the model has a TextVectorization layer and the upload also holds ${TOKENIZER_FILE}: keep one front end`);
  if (vectorization) return vectorization;
  if (entries.length === 0) return undefined;
  if (entries.length > 1) throw new ModelImportError(`the model upload holds ${entries.length} ${TOKENIZER_FILE} files (${entries.map(([p]) => p).join(', ')}); keep one`);
  const [path, bytes] = entries[0];
  const text = new TextDecoder().decode(bytes);
  let tokenizer: KerasTokenizer;
  try {
    tokenizer = parseKerasTokenizer(text, path);
  } catch (err) {
    if (err instanceof TokenizerError) throw new ModelImportError(err.message);
    throw err;
  }
  const extra = JSON.parse(text) as { padding?: unknown; truncating?: unknown };
  const mode = (name: 'padding' | 'truncating'): 'pre' | 'post' => {
    const v = extra[name] ?? 'pre';
    if (v !== 'pre' && v !== 'post') throw new ModelImportError(`${path}: "${name}" must be "pre" or "post", got ${JSON.stringify(v)}`);
    return v;
  };
  return { kind: 'keras-tokenizer', tokenizer, padding: mode('padding'), truncating: mode('truncating') };
}

/** A .keras upload's TextVectorization front end (config.json + its vocabulary), or undefined. */
function readTextVectorization(files: Map<string, Uint8Array>, label: string): TextFrontEnd | undefined {
  const configBytes = files.get('config.json');
  if (!configBytes) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(configBytes));
  } catch {
    return undefined; // the importer reports a broken config.json
  }
  const { vectorizer } = separateTextVectorization(config);
  if (!vectorizer) return undefined;
  const vocabularies = [...files].filter(([path]) => path.split('/').pop() === VECTORIZER_VOCABULARY_FILE);
  // A vocabulary.txt beside config.json (uploaded by hand) wins over the archive's assets.
  const chosen = vocabularies.find(([path]) => path === VECTORIZER_VOCABULARY_FILE) ?? (vocabularies.length === 1 ? vocabularies[0] : undefined);
  if (!chosen && vocabularies.length > 1 && !Array.isArray(vectorizer.vocabulary)) {
    throw new ModelImportError(`${label} holds ${vocabularies.length} ${VECTORIZER_VOCABULARY_FILE} files (${vocabularies.map(([p]) => p).join(', ')}); keep the TextVectorization layer's one`);
  }
  const words = Array.isArray(vectorizer.vocabulary) ? undefined : chosen ? parseVocabularyFile(new TextDecoder().decode(chosen[1])) : undefined;
  try {
    return { kind: 'text-vectorization', ...textVectorizerFromConfig(vectorizer, words, label) };
  } catch (err) {
    if (err instanceof TextVectorizationError) throw new ModelImportError(err.message);
    throw err;
  }
}

// ---- TextVectorization: the layer becomes the front end, the model starts at its token ids ----

type Json = any;  

function unwrapConfig(config: Json): Json {
  let raw = typeof config === 'string' ? JSON.parse(config) : config;
  if (raw && typeof raw === 'object' && raw.model_config && typeof raw.model_config === 'object') raw = raw.model_config;
  return raw;
}

function isVectorizer(layer: Json): boolean {
  return layer?.class_name === 'TextVectorization';
}

/** Replaces every string `from` inside `value` (inbound nodes: keras_history, Keras 2 node lists) by `to`. */
function renameRefs(value: Json, from: string, to: string): Json {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, from, to));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameRefs(v, from, to)]));
  return value;
}

function setTokenIdInput(config: Json, length: number): void {
  const keys = ['batch_shape', 'batch_input_shape'].filter((k) => k in config);
  for (const key of keys.length ? keys : ['batch_shape']) config[key] = [null, length];
  config.dtype = 'float32';
}

/**
 * A Keras model config whose first layer after the input is a TextVectorization (output_mode int):
 * the same model from the vectorizer's token ids on (input [batch, output_sequence_length],
 * float32), plus the vectorizer's layer config. Other configs come back unchanged (a
 * TextVectorization elsewhere is then refused by the importer with the way forward).
 */
export function separateTextVectorization(input: Json): { config: Json; vectorizer?: Json } {
  const raw = unwrapConfig(input);
  const layers: Json[] | undefined = Array.isArray(raw?.config) ? raw.config : raw?.config?.layers;
  if (!Array.isArray(layers)) return { config: input };
  const found = layers.filter(isVectorizer);
  if (found.length !== 1) return { config: input };
  const copy = structuredClone(raw);
  const list: Json[] = Array.isArray(copy.config) ? copy.config : copy.config.layers;
  const index = list.findIndex(isVectorizer);
  const tv = list[index];
  const length = tv.config?.output_sequence_length;
  if (!Number.isInteger(length) || length < 1) return { config: input };
  if (copy.class_name === 'Sequential') {
    const before = list.slice(0, index);
    if (!before.every((l) => l.class_name === 'InputLayer')) return { config: input };
    list.splice(index, 1);
    if (before.length === 1) setTokenIdInput(before[0].config, length);
    else list[0].config.batch_input_shape = [null, length];
    if (!Array.isArray(copy.config)) copy.config.build_input_shape = [null, length];
    delete copy.build_config;
    return { config: copy, vectorizer: tv.config };
  }
  // Functional: the vectorizer must read an InputLayer that feeds nothing else.
  const tvName = tv.name ?? tv.config?.name;
  const refs = JSON.stringify(tv.inbound_nodes ?? []);
  const source = list.find((l) => l.class_name === 'InputLayer' && refs.includes(JSON.stringify(l.name ?? l.config?.name)));
  if (!source) return { config: input };
  const sourceName = source.name ?? source.config?.name;
  const others = list.filter((l) => l !== tv && l !== source);
  if (others.some((l) => JSON.stringify(l.inbound_nodes ?? []).includes(JSON.stringify(sourceName)))) return { config: input };
  list.splice(index, 1);
  for (const l of others) l.inbound_nodes = renameRefs(l.inbound_nodes, tvName, sourceName);
  copy.config.output_layers = renameRefs(copy.config.output_layers, tvName, sourceName);
  setTokenIdInput(source.config, length);
  return { config: copy, vectorizer: tv.config };
}

/** The uploaded front end for a model reading `length` token ids (a Tokenizer pads/cuts to it; a TextVectorization must emit that many). */
export function tokenFrontEndFor(frontEnd: TextFrontEnd, length: number, label: string): TokenFrontEnd {
  if (frontEnd.kind === 'keras-tokenizer') return { kind: 'keras-tokenizer', tokenizer: frontEnd.tokenizer, padding: { length, padding: frontEnd.padding, truncating: frontEnd.truncating } };
  if (frontEnd.length !== length) throw new ModelImportError(`${label}: TextVectorization emits ${frontEnd.length} token ids (output_sequence_length) but the model after it reads ${length}`);
  return frontEnd;
}
