// JSON Lines text classification: one `{"text": "...", "label": ...}` object per line
// (field names configurable with `textColumn` and `labelColumn`); an optional "split" field is
// respected. Lines longer than MAX_LINE_CHARS are refused before they are parsed.
import { DatasetError } from './errors.ts';
import type { IndexedDataset, OpenOptions } from './dataset.ts';
import { NO_SPLIT, parseSplitName } from './split.ts';
import { MAX_TEXT_CHARS, textDataset, type TextRecord } from './text-records.ts';

/** Longest JSONL line (characters): the longest text with every character escaped (6 characters each), plus room for the other fields. */
export const MAX_LINE_CHARS = 6 * MAX_TEXT_CHARS + 4096;

export function jsonlDataset(bytes: Uint8Array, file: string, options: OpenOptions = {}): IndexedDataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new DatasetError(file, 'not valid UTF-8 text');
  }
  const labelField = options.labelColumn ?? 'label';
  const textField = options.textColumn ?? 'text';
  const records: TextRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    if (line.length > MAX_LINE_CHARS) throw new DatasetError(file, `${where}: ${line.length} characters, over the ${MAX_LINE_CHARS}-character line limit`);
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new DatasetError(file, `${where}: not valid JSON`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new DatasetError(file, `${where}: expected a JSON object`);
    const fields = record as Record<string, unknown>;
    const value = fields[textField];
    const label = fields[labelField];
    if (typeof value !== 'string') throw new DatasetError(file, `${where}: "${textField}" must be a string`);
    if (typeof label !== 'string' && typeof label !== 'number') throw new DatasetError(file, `${where}: "${labelField}" must be a string or an integer`);
    let split = NO_SPLIT;
    if (fields.split !== undefined) {
      const parsed = typeof fields.split === 'string' ? parseSplitName(fields.split) : undefined;
      if (parsed === undefined) throw new DatasetError(file, `${where}: split ${JSON.stringify(fields.split)} is not train, validation or test`);
      split = parsed;
    }
    records.push({ text: value, label, where, split });
  });
  return textDataset(records, file, 'jsonl', options);
}
