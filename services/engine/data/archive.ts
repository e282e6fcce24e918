// Zip and tar(.gz) unpacking with size caps. Zips go through unzipBounded (zip.ts), which counts
// the bytes entries actually inflate to, so an archive cannot expand past `maxBytes` whatever its
// directory claims.
import { DatasetError } from './errors.ts';
import { DEFAULT_MAX_UNCOMPRESSED_BYTES, gunzipCapped, isGzip } from './limits.ts';
import { unzipBounded } from './zip.ts';

const MAX_ENTRIES = 2_000_000;

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
}

export function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar';
}

/** Entries that are metadata, not data: folders, macOS resource forks, hidden files. */
function ignored(name: string): boolean {
  return name.endsWith('/') || name.startsWith('__MACOSX/') || name.split('/').some((part) => part.startsWith('.'));
}

export function unzipCapped(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): Map<string, Uint8Array> {
  return unzipBounded(bytes, file, { maxBytes, maxEntries: MAX_ENTRIES, keep: (name) => !ignored(name) });
}

/** POSIX ustar / GNU tar with long names (L) and pax paths (x). */
export function untar(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (start: number, length: number) => {
    const slice = bytes.subarray(start, start + length);
    const end = slice.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? slice.subarray(0, end) : slice);
  };
  let offset = 0;
  let longName: string | undefined;
  let ended = false;
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const sizeText = text(offset + 124, 12).trim();
    const size = parseInt(sizeText || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new DatasetError(file, `corrupt tar header at byte ${offset}`);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = text(offset + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    const dataStart = offset + 512;
    if (dataStart + size > bytes.length) throw new DatasetError(file, `truncated tar archive: entry ${name} needs ${size} bytes, ${bytes.length - dataStart} remain`);
    const data = bytes.subarray(dataStart, dataStart + size);
    longName = undefined;
    if (type === 'L') longName = text(dataStart, size);
    else if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data));
      if (path) longName = path[1];
    } else if ((type === '0' || type === '7') && !ignored(name.replace(/^\.\//, ''))) {
      files.set(name.replace(/^\.\//, ''), data);
    }
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (files.size > MAX_ENTRIES) throw new DatasetError(file, `archive holds more than ${MAX_ENTRIES} entries`);
  }
  if (!ended) throw new DatasetError(file, 'truncated tar archive: no end-of-archive block');
  return files;
}

/** Unpacks a zip, tar or tar.gz; returns undefined when `bytes` is none of those. */
export function unpackArchive(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): Map<string, Uint8Array> | undefined {
  if (isZip(bytes)) return unzipCapped(bytes, file, maxBytes);
  if (isTar(bytes)) return untar(bytes, file);
  if (isGzip(bytes) && /\.(tar\.gz|tgz)$/i.test(file)) {
    const inner = gunzipCapped(bytes, file, maxBytes);
    if (!isTar(inner)) throw new DatasetError(file, 'gzip data is not a tar archive');
    return untar(inner, file);
  }
  return undefined;
}
