// Guess a dataset's format from its file name and first bytes (cheap: no full read).
import type { DatasetFormat } from './types.ts';
import { isZip, isTar } from './archive.ts';
import { isNpy } from './npy.ts';
import { looksLikeIdx } from './idx.ts';
import { isImageName } from './image-zip.ts';
import { isGzip } from './limits.ts';

/** Name of the first entry of a zip (local header) or tar (header block). */
function firstEntryName(head: Uint8Array): string | undefined {
  if (isZip(head) && head.length >= 30) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const length = view.getUint16(26, true);
    return new TextDecoder().decode(head.subarray(30, Math.min(head.length, 30 + length)));
  }
  if (isTar(head)) {
    const name = head.subarray(0, 100);
    const end = name.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? name.subarray(0, end) : name);
  }
  return undefined;
}

function fromName(name: string): DatasetFormat | undefined {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.endsWith('.npz')) return 'npz';
  if (n.endsWith('.npy')) return 'npy';
  if (n.endsWith('.csv')) return 'csv';
  if (n.endsWith('.jsonl') || n.endsWith('.ndjson')) return 'jsonl';
  if (/idx\d|-ubyte$|\.idx$/.test(n)) return 'idx';
  if (isImageName(n)) return 'image-zip';
  return undefined;
}

/**
 * Returns the format, or undefined when neither name nor bytes say. For archives the first
 * entry decides (x.npy → npz, *-ubyte → idx, images or folders → image-zip); `openDataset`
 * re-checks against all entries after unpacking.
 */
export function detectDatasetFormat(filename: string, head: Uint8Array): DatasetFormat | undefined {
  if (isNpy(head)) return 'npy';
  if (isZip(head) || isTar(head)) {
    if (/\.npz$/i.test(filename)) return 'npz';
    const first = firstEntryName(head);
    if (first !== undefined) {
      const inner = fromName(first);
      if (inner === 'npy') return 'npz';
      if (inner === 'idx' || inner === 'image-zip') return inner;
      if (first.endsWith('/')) return 'image-zip';
    }
    return undefined;
  }
  if (looksLikeIdx(head)) return 'idx';
  const byName = fromName(filename);
  if (byName) return byName;
  if (isGzip(head)) return undefined;
  const text = new TextDecoder().decode(head.subarray(0, 4096)).trimStart();
  if (text.startsWith('{')) return 'jsonl';
  if (/^[^\n]*,[^\n]*\n/.test(text)) return 'csv';
  return undefined;
}

/** Format from the full list of archive entries. */
export function detectFromEntries(names: string[]): DatasetFormat | undefined {
  const formats = new Set(names.map(fromName).filter((f) => f !== undefined));
  if (formats.has('npy')) return 'npz';
  if (formats.has('idx')) return 'idx';
  if (formats.has('image-zip')) return 'image-zip';
  if (formats.size === 1) return [...formats][0];
  return undefined;
}
