// A Keras `Tokenizer` (keras.preprocessing.text, saved with `tokenizer.to_json()`) as a text front
// end in TypeScript: the same word splitting, index lookup, num_words cut-off and OOV handling as
// `texts_to_sequences`, then `pad_sequences` to the model's input length. Pure JavaScript, no
// tfjs: the host, the browser and an app all turn a string into the same token ids.

export interface KerasTokenizer {
  numWords: number | null;
  filters: string;
  lower: boolean;
  split: string;
  charLevel: boolean;
  oovToken: string | null;
  wordIndex: Map<string, number>;
}

/** Where to pad or cut a sequence to the model's length ('pre' is Keras' default for both). */
export interface PaddingOptions {
  length: number;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
}

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** Parses `tokenizer.to_json()` output (its word_index is itself a JSON string there, or an object). */
export function parseKerasTokenizer(json: string, label = 'tokenizer.json'): KerasTokenizer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new TokenizerError(`${label} is not valid JSON`);
  }
  const root = parsed as { class_name?: unknown; config?: Record<string, unknown> };
  if (root?.class_name !== 'Tokenizer' || typeof root.config !== 'object' || root.config === null) {
    throw new TokenizerError(`${label} is not a Keras Tokenizer (expected {"class_name": "Tokenizer", "config": {...}} from tokenizer.to_json())`);
  }
  const c = root.config;
  let index = c.word_index;
  if (typeof index === 'string') {
    try {
      index = JSON.parse(index);
    } catch {
      throw new TokenizerError(`${label}: config.word_index is not valid JSON`);
    }
  }
  if (typeof index !== 'object' || index === null || Array.isArray(index)) throw new TokenizerError(`${label}: config.word_index must map words to integer ids`);
  const wordIndex = new Map<string, number>();
  for (const [word, id] of Object.entries(index as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 1) throw new TokenizerError(`${label}: word_index[${JSON.stringify(word)}] is ${JSON.stringify(id)}, not a positive integer`);
    wordIndex.set(word, id as number);
  }
  const numWords = c.num_words ?? null;
  if (numWords !== null && !(Number.isInteger(numWords) && (numWords as number) > 0)) throw new TokenizerError(`${label}: num_words must be a positive integer or null`);
  return {
    numWords: numWords as number | null,
    filters: typeof c.filters === 'string' ? c.filters : '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n',
    lower: c.lower !== false,
    split: typeof c.split === 'string' && c.split !== '' ? c.split : ' ',
    charLevel: c.char_level === true,
    oovToken: typeof c.oov_token === 'string' ? c.oov_token : null,
    wordIndex,
  };
}

/** Keras' text_to_word_sequence: lower-case, every filter character becomes the separator, split, drop empties. */
export function textToWordSequence(text: string, t: Pick<KerasTokenizer, 'filters' | 'lower' | 'split'>): string[] {
  let s = t.lower ? text.toLowerCase() : text;
  if (t.filters) {
    const filters = new Set(t.filters);
    s = Array.from(s, (ch) => (filters.has(ch) ? t.split : ch)).join('');
  }
  return s.split(t.split).filter((w) => w !== '');
}

/** Keras' texts_to_sequences for one text. */
export function textToSequence(text: string, t: KerasTokenizer): number[] {
  const words = t.charLevel ? Array.from(t.lower ? text.toLowerCase() : text) : textToWordSequence(text, t);
  const oov = t.oovToken === null ? undefined : t.wordIndex.get(t.oovToken);
  const out: number[] = [];
  for (const w of words) {
    const id = t.wordIndex.get(w);
    if (id !== undefined) {
      if (t.numWords !== null && id >= t.numWords) {
        if (oov !== undefined) out.push(oov);
      } else out.push(id);
    } else if (t.oovToken !== null && oov !== undefined) out.push(oov);
  }
  return out;
}

/** Keras' pad_sequences for one sequence (value 0). */
export function padSequence(seq: number[], o: PaddingOptions): number[] {
  const cut = seq.length <= o.length ? seq : (o.truncating ?? 'pre') === 'pre' ? seq.slice(seq.length - o.length) : seq.slice(0, o.length);
  const pad = new Array<number>(o.length - cut.length).fill(0);
  return (o.padding ?? 'pre') === 'pre' ? [...pad, ...cut] : [...cut, ...pad];
}

/** Texts → float32 [texts.length, length] token ids, the model input the training path feeds. */
export function tokenizeTexts(texts: readonly string[], t: KerasTokenizer, o: PaddingOptions): Float32Array {
  const out = new Float32Array(texts.length * o.length);
  texts.forEach((text, i) => out.set(padSequence(textToSequence(text, t), o), i * o.length));
  return out;
}

const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/**
 * Keras' `Tokenizer(num_words, oov_token).fit_on_texts(texts)`: words counted in order of first
 * appearance, ranked by count (ties keep that order, as Python's stable sort does), ids from 1 with
 * the OOV token first. What a user's training script did; the bench and tests use it to build the
 * tokenizer a user would upload.
 */
export function fitKerasTokenizer(texts: Iterable<string>, options: { numWords?: number | null; oovToken?: string | null } = {}): KerasTokenizer {
  const rules = { filters: KERAS_FILTERS, lower: true, split: ' ' };
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of textToWordSequence(text, rules)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const oovToken = options.oovToken ?? null;
  const vocabulary = oovToken === null ? ranked : [oovToken, ...ranked];
  return { numWords: options.numWords ?? null, ...rules, charLevel: false, oovToken, wordIndex: new Map(vocabulary.map((w, i) => [w, i + 1])) };
}

/** `tokenizer.to_json()` (word_index as a JSON string inside the config, as Keras writes it). */
export function kerasTokenizerJson(t: KerasTokenizer, extra: { padding?: 'pre' | 'post'; truncating?: 'pre' | 'post' } = {}): string {
  return JSON.stringify({
    class_name: 'Tokenizer',
    config: {
      num_words: t.numWords, filters: t.filters, lower: t.lower, split: t.split, char_level: t.charLevel, oov_token: t.oovToken,
      word_index: JSON.stringify(Object.fromEntries(t.wordIndex)),
    },
    ...extra,
  });
}
