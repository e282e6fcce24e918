// CSV: a header row, numeric feature columns and one label column (`label` unless
// `labelColumn` says otherwise); an optional `split` column (train/validation/test) is respected.
// A CSV with a text column (`text` unless `textColumn` says otherwise) is a text dataset: that
// column is the sample, other columns besides label and split are ignored. Quoted fields follow
// RFC 4180. Rows are read one at a time from the bytes (csvRowRanges): the file is never one
// string, and only one row's fields are strings at a time.
import { DatasetError } from './errors.ts';
import { MAX_CSV_COLUMNS, MAX_ELEMENTS } from './limits.ts';
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

/** One row of a CSV file: its byte range and the line it starts on. */
interface RowRange {
  start: number;
  end: number;
  line: number;
}

/**
 * The rows of a CSV file, one at a time, as byte ranges: a scan of the bytes with the same
 * RFC 4180 rules as parseCsv (a quote opens a field only at its start; "" inside quotes is a
 * quote; newlines inside quotes belong to the field), so a large file is never held as strings
 * (issue #12 H1: a 505 MiB CSV as one string and a string per field took 5.2 GB). The UTF-8
 * bytes of ',', '"', CR and LF never occur inside a multi-byte character, so bytes are enough.
 * Empty lines are skipped; the header's width is checked while it is scanned.
 */
function* csvRowRanges(bytes: Uint8Array, file: string): Generator<RowRange> {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let rowStart = bom;
  let rowLine = 1;
  let header = true;
  let fields = 1;
  let empty = true;
  for (let i = bom; i < bytes.length; i++) {
    const c = bytes[i];
    if (quoted) {
      if (c === 0x22) {
        if (bytes[i + 1] === 0x22) i++;
        else quoted = false;
      } else if (c === 0x0a) line++;
      continue;
    }
    if (c === 0x22 && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      empty = false;
    } else if (c === 0x2c) {
      fieldStarted = false;
      empty = false;
      if (header && ++fields > MAX_CSV_COLUMNS) throw new DatasetError(file, `header has more than ${MAX_CSV_COLUMNS} columns`);
    } else if (c === 0x0a || c === 0x0d) {
      const end = i;
      if (c === 0x0d && bytes[i + 1] === 0x0a) i++;
      if (!empty) {
        yield { start: rowStart, end, line: rowLine };
        header = false;
      }
      fieldStarted = false;
      empty = true;
      line++;
      rowLine = line;
      rowStart = i + 1;
    } else {
      fieldStarted = true;
      empty = false;
    }
  }
  if (quoted) throw new DatasetError(file, `line ${rowLine}: unterminated quoted field`);
  if (!empty) yield { start: rowStart, end: bytes.length, line: rowLine };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The fields of one row (decoded only now; the row's strings die with the caller's use of them). */
function rowFields(bytes: Uint8Array, row: RowRange, file: string): string[] {
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(row.start, row.end));
  } catch {
    throw new DatasetError(file, `line ${row.line}: not valid UTF-8 text`);
  }
  return parseCsv(text, file).rows[0] ?? [''];
}

/** Rows with their fields, one at a time. */
function* csvRows(bytes: Uint8Array, file: string): Generator<{ fields: string[]; line: number }> {
  for (const row of csvRowRanges(bytes, file)) yield { fields: rowFields(bytes, row, file), line: row.line };
}

export function csvDataset(bytes: Uint8Array, file: string, options: OpenOptions = {}): IndexedDataset {
  const rows = csvRows(bytes, file);
  const first = rows.next();
  if (first.done) throw new DatasetError(file, 'empty CSV file');
  const header = first.value.fields.map((h) => h.trim());
  if (header.every((h) => h !== '' && Number.isFinite(Number(h)))) throw new DatasetError(file, 'header row required: the first row holds only numbers');
  const labelName = options.labelColumn ?? 'label';
  const labelIndex = header.findIndex((h) => h.toLowerCase() === labelName.toLowerCase());
  if (labelIndex < 0) throw new DatasetError(file, `no label column "${labelName}" (columns: ${header.join(', ')}); set labelColumn`);
  const splitIndex = header.findIndex((h, i) => i !== labelIndex && h.toLowerCase() === 'split');
  const textName = options.textColumn ?? 'text';
  const textIndex = header.findIndex((h, i) => i !== labelIndex && h.toLowerCase() === textName.toLowerCase());
  if (options.textColumn !== undefined && textIndex < 0) throw new DatasetError(file, `no text column "${textName}" (columns: ${header.join(', ')})`);
  if (textIndex >= 0) return csvTextDataset(rows, { file, header, labelIndex, splitIndex, textIndex }, options);
  const featureIndexes = header.map((_, i) => i).filter((i) => i !== labelIndex && i !== splitIndex);
  if (featureIndexes.length === 0) throw new DatasetError(file, 'no feature columns besides the label');
  // A first pass counts the rows (bytes only), so the features go straight into one array.
  let count = -1;
  for (const _ of csvRowRanges(bytes, file)) count++;
  if (count === 0) throw new DatasetError(file, 'header only, no data rows');
  if (count * featureIndexes.length > MAX_ELEMENTS) throw new DatasetError(file, `${count} rows × ${featureIndexes.length} features is more than ${MAX_ELEMENTS} values`);

  const x = new Float32Array(count * featureIndexes.length);
  // Labels are interned: one string per distinct label, not one per row.
  const interned = new Map<string, string>();
  const rawLabels: string[] = new Array(count);
  const lines = new Int32Array(count);
  const explicitSplit = new Uint8Array(count).fill(NO_SPLIT);
  let r = 0;
  for (const { fields: row, line } of rows) {
    if (row.length !== header.length) throw new DatasetError(file, `line ${line}: ${row.length} fields, header has ${header.length}`);
    featureIndexes.forEach((c, j) => {
      const cell = row[c].trim();
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) throw new DatasetError(file, `line ${line}: column "${header[c]}" is "${row[c]}", not a number`);
      x[r * featureIndexes.length + j] = value;
    });
    const label = row[labelIndex];
    let known = interned.get(label);
    if (known === undefined) interned.set(label, (known = label));
    rawLabels[r] = known;
    lines[r] = line;
    if (splitIndex >= 0) {
      const code = parseSplitName(row[splitIndex]);
      if (code === undefined) throw new DatasetError(file, `line ${line}: split "${row[splitIndex]}" is not train, validation or test`);
      explicitSplit[r] = code;
    }
    r++;
  }
  const { ids, names } = encodeLabels(rawLabels, file, (i) => `line ${lines[i]}`);
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
  rows: Iterable<{ fields: string[]; line: number }>, columns: { file: string; header: string[]; labelIndex: number; splitIndex: number; textIndex: number }, options: OpenOptions,
): IndexedDataset {
  const { file, header, labelIndex, splitIndex, textIndex } = columns;
  const records: TextRecord[] = [];
  for (const { fields: row, line } of rows) {
    const where = `line ${line}`;
    if (row.length !== header.length) throw new DatasetError(file, `${where}: ${row.length} fields, header has ${header.length}`);
    let split = NO_SPLIT;
    if (splitIndex >= 0) {
      const code = parseSplitName(row[splitIndex]);
      if (code === undefined) throw new DatasetError(file, `${where}: split "${row[splitIndex]}" is not train, validation or test`);
      split = code;
    }
    records.push({ text: row[textIndex], label: row[labelIndex], where, split });
  }
  if (records.length === 0) throw new DatasetError(file, 'header only, no data rows');
  return textDataset(records, file, 'csv', options);
}
