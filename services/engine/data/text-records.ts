// Text classification records (from JSONL lines or CSV rows) → a text Dataset. One place for the
// rules every text reader shares: a text must be a non-empty string of at most
// MAX_TEXT_CHARS characters, labels are strings or integers (or must be one of `options.labels`
// when the caller names the classes), and the split is the seeded one unless a record names its own.
import { DatasetError } from './errors.ts';
import { buildDataset, type IndexedDataset, type OpenOptions } from './dataset.ts';
import type { DatasetFormat } from './types.ts';
import { encodeLabels } from './labels.ts';
import { NO_SPLIT } from './split.ts';

/** Longest text one record may hold (characters); longer lines are refused, not cut. */
export const MAX_TEXT_CHARS = 1_000_000;

export interface TextRecord {
  text: string;
  label: string | number;
  /** Where the record is, for error messages ("line 12"). */
  where: string;
  /** SPLIT_CODE of an explicit split, NO_SPLIT when open. */
  split: number;
}

/** Checks one record's text; throws a DatasetError naming the line. */
export function checkText(file: string, where: string, text: string): void {
  if (text.trim() === '') throw new DatasetError(file, `${where}: empty text`);
  if (text.length > MAX_TEXT_CHARS) throw new DatasetError(file, `${where}: text of ${text.length} characters is over the ${MAX_TEXT_CHARS}-character limit`);
}

/** Class ids against the caller's class names: a label outside them is an error naming both. */
function encodeKnownLabels(records: TextRecord[], known: string[], file: string): Int32Array {
  const index = new Map(known.map((name, i) => [name, i]));
  return Int32Array.from(records, (r) => {
    const id = index.get(String(r.label).trim());
    if (id === undefined) throw new DatasetError(file, `${r.where}: unknown label ${JSON.stringify(r.label)} (the classes are ${known.map((k) => JSON.stringify(k)).join(', ')})`);
    return id;
  });
}

export function textDataset(records: TextRecord[], file: string, format: DatasetFormat, options: OpenOptions = {}): IndexedDataset {
  if (records.length === 0) throw new DatasetError(file, 'no records');
  for (const r of records) checkText(file, r.where, r.text);
  let labels: Int32Array;
  let labelNames: string[] | undefined;
  if (options.labels) {
    labels = encodeKnownLabels(records, options.labels, file);
    labelNames = options.labels.slice();
  } else {
    const encoded = encodeLabels(records.map((r) => r.label), file, (i) => records[i].where);
    labels = encoded.ids;
    labelNames = encoded.names;
  }
  const texts = records.map((r) => r.text);
  const anySplit = records.some((r) => r.split !== NO_SPLIT);
  return buildDataset(
    {
      file,
      format,
      kind: 'text',
      inputShape: [],
      labels,
      labelNames,
      explicitSplit: anySplit ? Uint8Array.from(records, (r) => r.split) : undefined,
      store: { readTexts: (ids) => Array.from(ids, (i) => texts[i]) },
    },
    options,
  );
}
