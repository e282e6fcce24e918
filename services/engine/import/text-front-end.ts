// A text model's front end, uploaded with the model: a Keras Tokenizer saved with
// `tokenizer.to_json()` as `tokenizer.json` in the model's zip (beside model.json) or in a
// `.keras` archive's `assets/`. Optional top-level "padding" / "truncating" ("pre" or "post",
// Keras' pad_sequences default "pre") say how sequences were fitted to the model's length.
import { isZip, unzipCapped } from '../data/archive.ts';
import { parseKerasTokenizer, TokenizerError, type KerasTokenizer } from '../text/keras-tokenizer.ts';
import { ModelImportError } from './errors.ts';
import type { ModelSource } from './types.ts';

export const TOKENIZER_FILE = 'tokenizer.json';

export interface TextFrontEnd {
  tokenizer: KerasTokenizer;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
}

function filesOf(source: ModelSource): Map<string, Uint8Array> {
  if ('files' in source) return source.files;
  if (!isZip(source.bytes)) return new Map();
  try {
    return unzipCapped(source.bytes, source.filename);
  } catch (err) {
    throw new ModelImportError((err as Error).message);
  }
}

/** The model upload's tokenizer, or undefined when it carries none. */
export function readTextFrontEnd(source: ModelSource): TextFrontEnd | undefined {
  const entries = [...filesOf(source)].filter(([path]) => path.split('/').pop() === TOKENIZER_FILE);
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
  return { tokenizer, padding: mode('padding'), truncating: mode('truncating') };
}
