// JSON Lines text classification: one `{"text": "...", "label": ...}` object per line
// (label field name configurable with `labelColumn`); an optional "split" field is respected.
import { DatasetError } from './errors.ts';
import { buildDataset, type IndexedDataset, type OpenOptions } from './dataset.ts';
import { encodeLabels } from './labels.ts';
import { NO_SPLIT, parseSplitName } from './split.ts';

export function jsonlDataset(bytes: Uint8Array, file: string, options: OpenOptions = {}): IndexedDataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new DatasetError(file, 'not valid UTF-8 text');
  }
  const labelField = options.labelColumn ?? 'label';
  const texts: string[] = [];
  const rawLabels: (string | number)[] = [];
  const lineNumbers: number[] = [];
  const splits: number[] = [];
  let anySplit = false;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new DatasetError(file, `line ${index + 1}: not valid JSON`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new DatasetError(file, `line ${index + 1}: expected a JSON object`);
    const { text: value, split } = record as Record<string, unknown>;
    const label = (record as Record<string, unknown>)[labelField];
    if (typeof value !== 'string') throw new DatasetError(file, `line ${index + 1}: "text" must be a string`);
    if (typeof label !== 'string' && typeof label !== 'number') throw new DatasetError(file, `line ${index + 1}: "${labelField}" must be a string or an integer`);
    let code = NO_SPLIT;
    if (split !== undefined) {
      const parsed = typeof split === 'string' ? parseSplitName(split) : undefined;
      if (parsed === undefined) throw new DatasetError(file, `line ${index + 1}: split ${JSON.stringify(split)} is not train, validation or test`);
      code = parsed;
      anySplit = true;
    }
    texts.push(value);
    rawLabels.push(label);
    lineNumbers.push(index + 1);
    splits.push(code);
  });
  if (texts.length === 0) throw new DatasetError(file, 'no records');
  const { ids, names } = encodeLabels(rawLabels, file, (i) => `line ${lineNumbers[i]}`);
  return buildDataset(
    {
      file,
      format: 'jsonl',
      kind: 'text',
      inputShape: [],
      labels: ids,
      labelNames: names,
      explicitSplit: anySplit ? Uint8Array.from(splits) : undefined,
      store: { readTexts: (ids) => Array.from(ids, (i) => texts[i]) },
    },
    options,
  );
}
