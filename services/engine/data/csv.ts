// CSV: a header row, numeric feature columns and one label column (`label` unless
// `labelColumn` says otherwise); an optional `split` column (train/validation/test) is respected.
// A CSV with a text column (`text` unless `textColumn` says otherwise) is a text dataset: that
// column is the sample, other columns besides label and split are ignored. Quoted fields follow
// RFC 4180.
import { DatasetError } from './errors.ts';
import { MAX_CSV_COLUMNS } from './limits.ts';
import { buildDataset, memoryStore, type IndexedDataset, type OpenOptions } from './dataset.ts';
import { encodeLabels } from './labels.ts';
import { NO_SPLIT, parseSplitName } from './split.ts';
import { textDataset, type TextRecord } from './text-records.ts';

/** Splits CSV text into rows of fields; returns each row's starting line number too. */
export function parseCsv(text: string, file: string): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (!(row.length === 1 && row[0] === '')) {
        rows.push(row);
        lines.push(rowLine);
      }
      row = [];
      field = '';
      fieldStarted = false;
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new DatasetError(file, `line ${rowLine}: unterminated quoted field`);
  row.push(field);
  if (!(row.length === 1 && row[0] === '')) {
    rows.push(row);
    lines.push(rowLine);
  }
  return { rows, lines };
}

/** Counts the header's fields before anything is parsed, so a 10-million-column header fails at once. */
function checkHeaderWidth(text: string, file: string): void {
  let fields = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && c === 0x0a) return;
    else if (!quoted && c === 0x2c && ++fields > MAX_CSV_COLUMNS) throw new DatasetError(file, `header has more than ${MAX_CSV_COLUMNS} columns`);
  }
}

export function csvDataset(bytes: Uint8Array, file: string, options: OpenOptions = {}): IndexedDataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new DatasetError(file, 'not valid UTF-8 text');
  }
  checkHeaderWidth(text, file);
  const { rows, lines } = parseCsv(text, file);
  if (rows.length === 0) throw new DatasetError(file, 'empty CSV file');
  const header = rows[0].map((h) => h.trim());
  if (header.every((h) => h !== '' && Number.isFinite(Number(h)))) throw new DatasetError(file, 'header row required: the first row holds only numbers');
  const labelName = options.labelColumn ?? 'label';
  const labelIndex = header.findIndex((h) => h.toLowerCase() === labelName.toLowerCase());
  if (labelIndex < 0) throw new DatasetError(file, `no label column "${labelName}" (columns: ${header.join(', ')}); set labelColumn`);
  const splitIndex = header.findIndex((h, i) => i !== labelIndex && h.toLowerCase() === 'split');
  const textName = options.textColumn ?? 'text';
  const textIndex = header.findIndex((h, i) => i !== labelIndex && h.toLowerCase() === textName.toLowerCase());
  if (options.textColumn !== undefined && textIndex < 0) throw new DatasetError(file, `no text column "${textName}" (columns: ${header.join(', ')})`);
  if (textIndex >= 0) return csvTextDataset(rows, lines, { file, header, labelIndex, splitIndex, textIndex }, options);
  const featureIndexes = header.map((_, i) => i).filter((i) => i !== labelIndex && i !== splitIndex);
  if (featureIndexes.length === 0) throw new DatasetError(file, 'no feature columns besides the label');
  const count = rows.length - 1;
  if (count === 0) throw new DatasetError(file, 'header only, no data rows');

  const x = new Float32Array(count * featureIndexes.length);
  const rawLabels: string[] = [];
  const explicitSplit = new Uint8Array(count).fill(NO_SPLIT);
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== header.length) throw new DatasetError(file, `line ${lines[r]}: ${row.length} fields, header has ${header.length}`);
    featureIndexes.forEach((c, j) => {
      const cell = row[c].trim();
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) throw new DatasetError(file, `line ${lines[r]}: column "${header[c]}" is "${row[c]}", not a number`);
      x[(r - 1) * featureIndexes.length + j] = value;
    });
    rawLabels.push(row[labelIndex]);
    if (splitIndex >= 0) {
      const code = parseSplitName(row[splitIndex]);
      if (code === undefined) throw new DatasetError(file, `line ${lines[r]}: split "${row[splitIndex]}" is not train, validation or test`);
      explicitSplit[r - 1] = code;
    }
  }
  const { ids, names } = encodeLabels(rawLabels, file, (i) => `line ${lines[i + 1]}`);
  return buildDataset(
    {
      file,
      format: 'csv',
      kind: 'tensor',
      inputShape: [featureIndexes.length],
      labels: ids,
      labelNames: names,
      explicitSplit: splitIndex >= 0 ? explicitSplit : undefined,
      store: memoryStore(x, featureIndexes.length),
    },
    options,
  );
}

function csvTextDataset(
  rows: string[][], lines: number[], columns: { file: string; header: string[]; labelIndex: number; splitIndex: number; textIndex: number }, options: OpenOptions,
): IndexedDataset {
  const { file, header, labelIndex, splitIndex, textIndex } = columns;
  if (rows.length === 1) throw new DatasetError(file, 'header only, no data rows');
  const records: TextRecord[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const where = `line ${lines[r]}`;
    if (row.length !== header.length) throw new DatasetError(file, `${where}: ${row.length} fields, header has ${header.length}`);
    let split = NO_SPLIT;
    if (splitIndex >= 0) {
      const code = parseSplitName(row[splitIndex]);
      if (code === undefined) throw new DatasetError(file, `${where}: split "${row[splitIndex]}" is not train, validation or test`);
      split = code;
    }
    records.push({ text: row[textIndex], label: row[labelIndex], where, split });
  }
  return textDataset(records, file, 'csv', options);
}
