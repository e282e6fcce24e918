// The text front end that ships inside a text candidate's .tflite (issue #13 item 4), so an app
// needs nothing else: the Keras tokenizer or TextVectorization layer of a user's text model
// (vocab.txt, the standard VOCABULARY associated file, plus its rules and the model's sequence
// length) or the
// n-gram featuriser and LSH parameters of a ProjectionNet, as associated files of the input
// tensor in the standard TFLITE_METADATA. `textFrontEndOfTflite(bytes)` reads them back and
// `featurizeWithFrontEnd` turns strings into the model's input with the same functions training
// used (tokenizeTexts / featurizeTexts) — pure JavaScript, for Node and the browser.
import { checkFeaturizerConfig, featurizeTexts, lshProjectBatch, type TextFeaturizerConfig } from '../../../plugins/sdk/src/text/index.ts';
import { readAssociatedFiles } from '../export/associated-files.ts';
import type { KerasTokenizer } from './keras-tokenizer.ts';
import { tokenInput, tokenLength, type TokenFrontEnd } from './token-front-end.ts';
import type { BagOfIds } from './bag-of-ids.ts';

export const FRONT_END_FILE = 'text_front_end.json';
export const VOCABULARY_FILE = 'vocab.txt';

export type TextFrontEnd =
  | TokenFrontEnd
  /** inFrontEnd: the app computes the LSH bits too (the model takes [numHash·numBits] bits). */
  | { kind: 'ngram-lsh'; featurizer: TextFeaturizerConfig; numHash: number; numBits: number; inFrontEnd?: boolean };

/** An associated file of the model's input tensor. */
export interface FrontEndFile {
  name: string;
  description: string;
  type: 'DESCRIPTIONS' | 'VOCABULARY';
  bytes: Uint8Array;
}

const encode = (s: string) => new TextEncoder().encode(s);

/** Tokens by id (line i = token id i; line 0 is padding), keeping only ids the tokenizer can emit. */
function vocabularyLines(t: KerasTokenizer): string[] {
  const kept = [...t.wordIndex].filter(([word, id]) => t.numWords === null || id < t.numWords || word === t.oovToken);
  const lines = new Array<string>(Math.max(0, ...kept.map(([, id]) => id)) + 1).fill('');
  for (const [word, id] of kept) lines[id] = word;
  return lines;
}

/** The ids → model input rule in text_front_end.json: "bag": {"rows", "weighting"} when the model reads the bag of ids. */
function bagRule(bag: BagOfIds | undefined): { bag?: BagOfIds } {
  return bag ? { bag: { rows: bag.rows, weighting: bag.weighting } } : {};
}

function idsNote(bag: BagOfIds | undefined): string {
  if (!bag) return 'token ids as float32.';
  return bag.weighting === 'count'
    ? `then the bag of ids: float32 [${bag.rows}], slot v = how many times id v ≠ 0 occurs (padding not counted).`
    : `then the bag of ids: float32 [${bag.rows}], slot v = (occurrences of id v ≠ 0) / (number of non-padding ids); all 0 for an empty text.`;
}

/** The associated files that carry `frontEnd` in the model file. */
export function frontEndFiles(frontEnd: TextFrontEnd): FrontEndFile[] {
  if (frontEnd.kind === 'ngram-lsh') {
    const { featurizer, numHash, numBits, inFrontEnd } = frontEnd;
    return [{
      name: FRONT_END_FILE, type: 'DESCRIPTIONS',
      description: inFrontEnd
        ? 'Text front end: featurizeTexts (n-gram ids and weights) with these parameters, then the LSH projection (TFLite LSH_PROJECTION DENSE semantics, seeds 0..numHash·numBits−1) to numHash·numBits bits, the model input.'
        : 'Text front end: featurizeTexts (n-gram ids and weights, [2, maxFeatures]) with these parameters, then LSH_PROJECTION in the model.',
      bytes: encode(JSON.stringify({ kind: 'ngram-lsh', featurizer, numHash, numBits, ...(inFrontEnd ? { inFrontEnd: true } : {}), inputShape: frontEndInputShape(frontEnd) })),
    }];
  }
  const vocabularyFile = (lines: string[]): FrontEndFile => ({
    name: VOCABULARY_FILE, type: 'VOCABULARY', description: 'Vocabulary: line i is the token with id i (line 0: padding).', bytes: encode(lines.join('\n') + '\n'),
  });
  if (frontEnd.kind === 'text-vectorization') {
    const { vectorizer, length } = frontEnd;
    // Tokens come from splitting on whitespace: none holds a line break.
    const rules = { kind: 'text-vectorization', standardize: vectorizer.standardize, split: 'whitespace', outputMode: 'int', oovId: 1, length, vocabularyFile: VOCABULARY_FILE, ...bagRule(frontEnd.bag) };
    return [
      {
        name: FRONT_END_FILE, type: 'DESCRIPTIONS',
        description: `Text front end: Keras TextVectorization (output_mode int) — standardize, split on whitespace, vocab.txt lookup (unknown → 1), first \`length\` ids, zero-padded at the end; ${idsNote(frontEnd.bag)}`,
        bytes: encode(JSON.stringify(rules)),
      },
      vocabularyFile(vectorizer.vocabulary),
    ];
  }
  const { tokenizer: t, padding } = frontEnd;
  const lines = vocabularyLines(t);
  // A token holding a line break cannot be a vocab.txt line: the vocabulary then travels inline.
  const inline = lines.some((w) => /[\r\n]/.test(w));
  const rules = {
    kind: 'keras-tokenizer', filters: t.filters, lower: t.lower, split: t.split, charLevel: t.charLevel, oovToken: t.oovToken, numWords: t.numWords,
    length: padding.length, padding: padding.padding, truncating: padding.truncating,
    ...(inline ? { vocabulary: lines } : { vocabularyFile: VOCABULARY_FILE }),
    ...bagRule(frontEnd.bag),
  };
  return [
    {
      name: FRONT_END_FILE, type: 'DESCRIPTIONS',
      description: `Text front end: Keras Tokenizer rules (texts_to_sequences) and pad_sequences to the model's length; ${idsNote(frontEnd.bag)}`,
      bytes: encode(JSON.stringify(rules)),
    },
    ...(inline ? [] : [vocabularyFile(lines)]),
  ];
}

export class FrontEndError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrontEndError';
  }
}

/** The front end from the associated files (name → bytes) of a model file. */
export function frontEndFromFiles(files: Record<string, Uint8Array>): TextFrontEnd {
  const raw = files[FRONT_END_FILE];
  if (!raw) throw new FrontEndError(`the model carries no ${FRONT_END_FILE}: it is not a text model exported by Condense`);
  const spec = JSON.parse(new TextDecoder().decode(raw)) as Record<string, any>;
  if (spec.kind === 'ngram-lsh') return { kind: 'ngram-lsh', featurizer: checkFeaturizerConfig(spec.featurizer), numHash: spec.numHash, numBits: spec.numBits, ...(spec.inFrontEnd === true ? { inFrontEnd: true } : {}) };
  if (spec.kind !== 'keras-tokenizer' && spec.kind !== 'text-vectorization') throw new FrontEndError(`${FRONT_END_FILE}: unknown front end kind ${JSON.stringify(spec.kind)}`);
  let lines: string[] = spec.vocabulary;
  if (!lines) {
    const vocab = files[spec.vocabularyFile];
    if (!vocab) throw new FrontEndError(`${FRONT_END_FILE} names ${spec.vocabularyFile}, which the model does not carry`);
    const text = new TextDecoder().decode(vocab);
    lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  }
  const bag = parseBag(spec.bag);
  if (spec.kind === 'text-vectorization') return { kind: 'text-vectorization', vectorizer: { vocabulary: lines, standardize: spec.standardize }, length: spec.length, ...bag };
  const wordIndex = new Map<string, number>();
  lines.forEach((word, id) => { if (id > 0 && word !== '') wordIndex.set(word, id); });
  return {
    kind: 'keras-tokenizer',
    tokenizer: { numWords: spec.numWords, filters: spec.filters, lower: spec.lower, split: spec.split, charLevel: spec.charLevel, oovToken: spec.oovToken, wordIndex },
    padding: { length: spec.length, padding: spec.padding, truncating: spec.truncating },
    ...bag,
  };
}

function parseBag(raw: unknown): { bag?: BagOfIds } {
  if (raw === undefined) return {};
  const bag = raw as Partial<BagOfIds>;
  if (!Number.isInteger(bag.rows) || bag.rows! < 1 || (bag.weighting !== 'count' && bag.weighting !== 'fraction')) {
    throw new FrontEndError(`${FRONT_END_FILE}: "bag" must be {"rows": a positive integer, "weighting": "count" | "fraction"}, got ${JSON.stringify(raw)}`);
  }
  return { bag: { rows: bag.rows!, weighting: bag.weighting } };
}

/** The front end a .tflite file carries (read from its associated files). */
export function textFrontEndOfTflite(bytes: Uint8Array): TextFrontEnd {
  return frontEndFromFiles(readAssociatedFiles(bytes));
}

/** Per-sample input shape of a model behind `frontEnd`. */
export function frontEndInputShape(frontEnd: TextFrontEnd): number[] {
  if (frontEnd.kind !== 'ngram-lsh') return frontEnd.bag ? [frontEnd.bag.rows] : [tokenLength(frontEnd)];
  return frontEnd.inFrontEnd ? [frontEnd.numHash * frontEnd.numBits] : [2, frontEnd.featurizer.maxFeatures];
}

/** Strings → the model's float32 input [texts.length, ...frontEndInputShape]. */
export function featurizeWithFrontEnd(frontEnd: TextFrontEnd, texts: readonly string[]): Float32Array {
  if (frontEnd.kind !== 'ngram-lsh') return tokenInput(frontEnd, texts);
  const features = featurizeTexts(texts, frontEnd.featurizer);
  if (!frontEnd.inFrontEnd) return features;
  return lshProjectBatch(features, texts.length, 2 * frontEnd.featurizer.maxFeatures, { numHash: frontEnd.numHash, numBits: frontEnd.numBits, inputMode: 'text' });
}
