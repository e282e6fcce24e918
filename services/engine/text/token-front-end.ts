// The front ends that turn a string into token ids for an Embedding model: a Keras `Tokenizer`
// (texts_to_sequences + pad_sequences) or a Keras `TextVectorization` layer (output_mode int).
// One place for what they share: ids of texts, how many ids they emit, and the same front end
// limited to the first `rows` ids (vocabulary pruning: the rest read the OOV id).
import { tokenizeTexts, type KerasTokenizer, type PaddingOptions } from './keras-tokenizer.ts';
import { vectorizeTexts, type TextVectorizer } from './text-vectorization.ts';
import { bagOfIds, type BagOfIds } from './bag-of-ids.ts';

/** `bag`: the model reads the bag of the ids (bag-of-ids.ts), not the ids. */
export type TokenFrontEnd =
  | { kind: 'keras-tokenizer'; tokenizer: KerasTokenizer; padding: Required<PaddingOptions>; bag?: BagOfIds }
  | { kind: 'text-vectorization'; vectorizer: TextVectorizer; length: number; bag?: BagOfIds };

/** Sequence length (ids per text). */
export function tokenLength(f: TokenFrontEnd): number {
  return f.kind === 'keras-tokenizer' ? f.padding.length : f.length;
}

/** Texts → float32 [texts.length, tokenLength(f)] ids. */
export function tokenIds(f: TokenFrontEnd, texts: readonly string[]): Float32Array {
  return f.kind === 'keras-tokenizer' ? tokenizeTexts(texts, f.tokenizer, f.padding) : vectorizeTexts(texts, f.vectorizer, f.length);
}

/** Texts → the model's input: the ids, or their bag (float32 [texts.length, bag.rows]). */
export function tokenInput(f: TokenFrontEnd, texts: readonly string[]): Float32Array {
  const ids = tokenIds(f, texts);
  return f.bag ? bagOfIds(ids, texts.length, f.bag) : ids;
}

/** The number of ids the front end emits (Tokenizer: num_words, else its largest id + 1). */
export function tokenRows(f: TokenFrontEnd): number {
  if (f.kind === 'text-vectorization') return f.vectorizer.vocabulary.length;
  return f.tokenizer.numWords ?? Math.max(0, ...f.tokenizer.wordIndex.values()) + 1;
}

/**
 * The front end of a model whose Embedding has `rows` rows: ids ≥ rows read the OOV id
 * (Tokenizer: num_words = rows, Keras' own rule; TextVectorization: the first `rows` tokens of
 * the vocabulary, the rest unknown → 1). The front end itself when it emits no more ids.
 */
export function tokenFrontEndForRows(f: TokenFrontEnd, rows: number): TokenFrontEnd {
  if (rows >= tokenRows(f)) return f;
  if (f.kind === 'keras-tokenizer') return { ...f, tokenizer: { ...f.tokenizer, numWords: rows } };
  return { ...f, vectorizer: { ...f.vectorizer, vocabulary: f.vectorizer.vocabulary.slice(0, rows) } };
}
