// A Keras `TextVectorization` layer (output_mode "int") as a text front end in TypeScript — the
// layer's string ops run here (and in the app), the model keeps the layers after it. The rules,
// from keras/layers/preprocessing/text_vectorization.py (Keras 2.x and 3):
//   standardize "lower_and_strip_punctuation": tf.strings.lower (ASCII letters only: TF lowers
//     bytes when no encoding is given), then every character of DEFAULT_STRIP_REGEX
//     [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~'] is removed (not replaced by a space);
//   split "whitespace": tf.strings.split with no separator — runs of ASCII whitespace
//     (space, \t, \n, \v, \f, \r) separate tokens, empty tokens are dropped;
//   lookup: vocabulary index i = id i, with index 0 the padding/mask token "" and index 1 the OOV
//     token "[UNK]"; an unknown token → 1;
//   output_sequence_length L: the first L ids, zero-padded at the end.
// The vocabulary is get_vocabulary() — what Keras writes to a .keras file's
// assets/<layer path>/vocabulary.txt ("\n".join, no trailing newline) or keeps in the config.

export interface TextVectorizer {
  /** Index i is the token with id i; index 0 is padding (""), index 1 the OOV token. */
  vocabulary: string[];
  standardize: 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null;
}

export class TextVectorizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextVectorizationError';
  }
}

const STRIP = new Set('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\'');
const WHITESPACE = /[ \t\n\v\f\r]+/;

/** ASCII-only lower case, as tf.strings.lower without an encoding. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function standardizeText(text: string, standardize: TextVectorizer['standardize']): string {
  let s = text;
  if (standardize === 'lower' || standardize === 'lower_and_strip_punctuation') s = asciiLower(s);
  if (standardize === 'strip_punctuation' || standardize === 'lower_and_strip_punctuation') s = Array.from(s, (ch) => (STRIP.has(ch) ? '' : ch)).join('');
  return s;
}

/** The tokens of one text (standardize, then split on ASCII whitespace). */
export function vectorizerTokens(text: string, standardize: TextVectorizer['standardize']): string[] {
  return standardizeText(text, standardize).split(WHITESPACE).filter((t) => t !== '');
}

const lookups = new WeakMap<TextVectorizer, Map<string, number>>();
function lookupOf(v: TextVectorizer): Map<string, number> {
  let map = lookups.get(v);
  if (!map) {
    map = new Map();
    // Ids 0 (padding) and 1 (OOV) are never looked up by their strings.
    for (let i = v.vocabulary.length - 1; i >= 2; i--) map.set(v.vocabulary[i], i);
    lookups.set(v, map);
  }
  return map;
}

/** One text → its token ids (unknown tokens → 1), not yet cut or padded. */
export function vectorizeText(text: string, v: TextVectorizer): number[] {
  const lookup = lookupOf(v);
  return vectorizerTokens(text, v.standardize).map((t) => lookup.get(t) ?? 1);
}

/** Texts → float32 [texts.length, length] ids: the first `length` ids, zeros after. */
export function vectorizeTexts(texts: readonly string[], v: TextVectorizer, length: number): Float32Array {
  const out = new Float32Array(texts.length * length);
  texts.forEach((text, i) => {
    const ids = vectorizeText(text, v);
    for (let k = 0; k < Math.min(length, ids.length); k++) out[i * length + k] = ids[k];
  });
  return out;
}

/** The vocabulary of a vocabulary.txt (get_vocabulary() joined by "\n"); a trailing newline is tolerated. */
export function parseVocabularyFile(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

type Json = any;  

/**
 * A TextVectorization layer's config + its vocabulary → the vectorizer and the sequence length.
 * The vocabulary may omit the special tokens (a vocabulary passed to the constructor): "" and
 * "[UNK]" are then put in front, as Keras' set_vocabulary does.
 */
export function textVectorizerFromConfig(config: Json, vocabulary: string[] | undefined, label: string): { vectorizer: TextVectorizer; length: number } {
  const name = `${label}: TextVectorization "${config?.name ?? ''}"`;
  const mode = config?.output_mode ?? 'int';
  if (mode !== 'int') throw new TextVectorizationError(`${name} has output_mode "${mode}"; only "int" (token ids into an Embedding) can be a front end`);
  const split = config?.split ?? 'whitespace';
  if (split !== 'whitespace') throw new TextVectorizationError(`${name} splits by ${JSON.stringify(split)}; only "whitespace" is supported`);
  if (config?.ngrams != null) throw new TextVectorizationError(`${name} has ngrams ${JSON.stringify(config.ngrams)}; only single tokens (ngrams None) are supported`);
  const standardize = config?.standardize === undefined ? 'lower_and_strip_punctuation' : config.standardize;
  if (!(standardize === null || ['lower_and_strip_punctuation', 'lower', 'strip_punctuation'].includes(standardize))) {
    throw new TextVectorizationError(`${name} has standardize ${JSON.stringify(standardize)}; supported: lower_and_strip_punctuation, lower, strip_punctuation, None (a custom function cannot be read from the file)`);
  }
  const length = config?.output_sequence_length;
  if (!Number.isInteger(length) || length < 1) throw new TextVectorizationError(`${name} has no output_sequence_length; the model needs a fixed number of token ids`);
  let words: string[] | undefined = vocabulary ?? (Array.isArray(config?.vocabulary) ? config.vocabulary.map(String) : undefined);
  if (!words) throw new TextVectorizationError(`${name} has no vocabulary: save the model as .keras (its assets hold vocabulary.txt) or put vocabulary.txt (layer.get_vocabulary(), one token a line) beside the model in the zip`);
  if (!(words[0] === '' && words[1] === '[UNK]')) {
    // A vocabulary without the special tokens (passed to the constructor): Keras puts them in front.
    if (words.includes('') || words.includes('[UNK]')) throw new TextVectorizationError(`${name}: the vocabulary holds "" or "[UNK]" elsewhere than at ids 0 and 1`);
    words = ['', '[UNK]', ...words];
  }
  const maxTokens = config?.max_tokens;
  if (Number.isInteger(maxTokens) && words.length > maxTokens) throw new TextVectorizationError(`${name}: the vocabulary holds ${words.length} tokens, over max_tokens ${maxTokens}`);
  return { vectorizer: { vocabulary: words, standardize }, length };
}
