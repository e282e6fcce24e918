// Maps raw label values (from CSV cells or JSON) to class ids. All-integer labels keep their
// value as the id; otherwise the distinct strings, sorted, become the classes.
import { DatasetError } from './errors.ts';

export function encodeLabels(raw: (string | number)[], file: string, where: (i: number) => string): { ids: Int32Array; names?: string[] } {
  const ids = new Int32Array(raw.length);
  const allIntegers = raw.every((v) => (typeof v === 'number' ? Number.isInteger(v) && v >= 0 : /^\s*\d+\s*$/.test(v)));
  if (allIntegers) {
    raw.forEach((v, i) => (ids[i] = Number(v)));
    return { ids };
  }
  // All numeric but not all integer: a regression target or corrupt labels, not class names.
  const allNumeric = raw.every((v) => typeof v === 'number' || (v.trim() !== '' && Number.isFinite(Number(v))));
  raw.forEach((v, i) => {
    if ((typeof v === 'number' || allNumeric) && !Number.isInteger(Number(v))) throw new DatasetError(file, `${where(i)}: label ${v} is not an integer or a class name`);
    if (String(v).trim() === '') throw new DatasetError(file, `${where(i)}: empty label`);
  });
  const names = [...new Set(raw.map((v) => String(v).trim()))].sort();
  const index = new Map(names.map((name, i) => [name, i]));
  raw.forEach((v, i) => (ids[i] = index.get(String(v).trim())!));
  return { ids, names };
}
