// Raw text → the input of an exported ProjectionNet: up to `maxFeatures` hashed n-gram ids with
// weights, laid out [2, maxFeatures] (row 0 ids as float32, row 1 weights; padded slots id 0,
// weight 0). Pure JavaScript and deterministic: the host, the plugin, the bench and an app
// calling the model all get the same numbers for the same text.

export interface TextFeaturizerConfig {
  /** Slots per sample (N): the model input is float32 [batch, 2, N]. */
  maxFeatures: number;
  /** Word n-gram orders, e.g. [1, 2] for unigrams and bigrams. */
  wordNgrams: number[];
  /** Character n-gram orders over the normalised text, e.g. [4]; [] for none. */
  charNgrams: number[];
  /** Ids are FNV-1a hashes modulo this (≤ 2^24 so ids are exact in float32). */
  idSpace: number;
  /** Characters of each text read (long mails are cut). */
  maxChars: number;
}

export const DEFAULT_TEXT_FEATURIZER: Readonly<TextFeaturizerConfig> = Object.freeze({
  maxFeatures: 512,
  wordNgrams: [1, 2],
  charNgrams: [],
  idSpace: 1 << 22,
  maxChars: 10000,
});

/** Checks a featuriser config; throws a one-line error naming the bad field. */
export function checkFeaturizerConfig(c: TextFeaturizerConfig): TextFeaturizerConfig {
  const intIn = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`text featurizer: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  };
  intIn('maxFeatures', c.maxFeatures, 1, 65536);
  intIn('idSpace', c.idSpace, 2, 1 << 24);
  intIn('maxChars', c.maxChars, 1, 1 << 24);
  for (const n of c.wordNgrams) intIn('wordNgrams[]', n, 1, 5);
  for (const n of c.charNgrams) intIn('charNgrams[]', n, 1, 10);
  if (c.wordNgrams.length + c.charNgrams.length === 0) throw new Error('text featurizer: wordNgrams and charNgrams are both empty');
  return c;
}

/** 32-bit FNV-1a over UTF-16 code units, with a per-kind prefix so "ab" as word and char differ. */
function fnv1a(prefix: number, s: string): number {
  let h = (0x811c9dc5 ^ prefix) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Lower-case, whitespace collapsed. */
export function normalizeText(text: string, maxChars: number): string {
  return text.slice(0, maxChars).toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Hashed n-gram id → count, for one text. */
export function ngramCounts(text: string, config: TextFeaturizerConfig): Map<number, number> {
  const norm = normalizeText(text, config.maxChars);
  const counts = new Map<number, number>();
  const bump = (id: number) => counts.set(id, (counts.get(id) ?? 0) + 1);
  const words = norm.match(/[\p{L}\p{N}$€£!?@'_-]+/gu) ?? [];
  for (const n of config.wordNgrams) {
    for (let i = 0; i + n <= words.length; i++) bump(fnv1a(n, words.slice(i, i + n).join(' ')) % config.idSpace);
  }
  for (const n of config.charNgrams) {
    for (let i = 0; i + n <= norm.length; i++) bump(fnv1a(0x100 + n, norm.slice(i, i + n)) % config.idSpace);
  }
  return counts;
}

/**
 * Featurises one text into `out` (length 2·maxFeatures, at `offset`): the maxFeatures n-grams
 * with the highest counts (ties: smaller id first), sorted by id, weights (1 + ln count)
 * normalised to unit L2 norm. Returns the number of live slots.
 */
export function featurizeTextInto(text: string, config: TextFeaturizerConfig, out: Float32Array, offset = 0): number {
  const n = config.maxFeatures;
  const entries = [...ngramCounts(text, config)].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n);
  entries.sort((a, b) => a[0] - b[0]);
  let norm = 0;
  for (const [, c] of entries) norm += (1 + Math.log(c)) ** 2;
  norm = Math.sqrt(norm) || 1;
  out.fill(0, offset, offset + 2 * n);
  entries.forEach(([id, c], i) => {
    out[offset + i] = id;
    out[offset + n + i] = (1 + Math.log(c)) / norm;
  });
  return entries.length;
}

/** Featurises texts into the model input: float32 [texts.length, 2, maxFeatures], row-major. */
export function featurizeTexts(texts: readonly string[], config: TextFeaturizerConfig = DEFAULT_TEXT_FEATURIZER): Float32Array {
  checkFeaturizerConfig(config);
  const size = 2 * config.maxFeatures;
  const out = new Float32Array(texts.length * size);
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new Error(`text featurizer: sample ${i} is not a string`);
    featurizeTextInto(t, config, out, i * size);
  });
  return out;
}

/** One line saying what an app must do to raw text before calling the model. */
export function describeTextPreprocessing(config: TextFeaturizerConfig): string {
  return `featurizeTexts(texts, ${JSON.stringify(config)}) from @condense/plugin-sdk: `
    + `lower-cased text (first ${config.maxChars} chars), word n-grams [${config.wordNgrams}] and char n-grams [${config.charNgrams}] `
    + `hashed (FNV-1a mod ${config.idSpace}), top ${config.maxFeatures} by count, weights (1+ln count) L2-normalised; `
    + `model input float32 [batch, 2, ${config.maxFeatures}] = (ids, weights), padding id 0 weight 0`;
}
