// A zip reader that trusts nothing the archive says about sizes. The central directory gives
// each entry's name, method, sizes and CRC; every entry is then inflated with its output capped
// at the size it declares (and at what remains of the archive-wide budget), so an entry that
// inflates to more than it claims — a "lying" directory — or an archive that expands past the
// budget stops inflating at the cap and fails, instead of allocating what the bytes expand to.
// Inflated lengths and CRC-32s must match the directory exactly.
import { crc32, inflateRawSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

export interface UnzipLimits {
  /** Total inflated bytes of the entries kept. */
  maxBytes: number;
  /** Number of entries in the directory. */
  maxEntries: number;
  /** Which entries to inflate (default all). */
  keep?: (name: string) => boolean;
}

function fail(file: string, message: string): never {
  throw new DatasetError(file, message);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads the central directory (no inflation). */
export function zipEntries(bytes: Uint8Array, file: string, maxEntries: number): ZipEntry[] {
  const v = view(bytes);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - MAX_COMMENT); i--) {
    if (v.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(file, 'corrupt or truncated zip archive (no end of central directory)');
  let count = v.getUint16(eocd + 10, true);
  let dirSize = v.getUint32(eocd + 12, true);
  let dirOffset = v.getUint32(eocd + 16, true);
  if ((count === 0xffff || dirOffset === 0xffffffff || dirSize === 0xffffffff) && eocd >= 20 && v.getUint32(eocd - 20, true) === ZIP64_EOCD_LOCATOR_SIGNATURE) {
    const at = Number(v.getBigUint64(eocd - 12, true));
    if (at + 56 > bytes.length || v.getUint32(at, true) !== ZIP64_EOCD_SIGNATURE) fail(file, 'corrupt zip64 end of central directory');
    count = Number(v.getBigUint64(at + 32, true));
    dirSize = Number(v.getBigUint64(at + 40, true));
    dirOffset = Number(v.getBigUint64(at + 48, true));
  }
  if (count > maxEntries) fail(file, `archive holds more than ${maxEntries} entries`);
  if (dirOffset + dirSize > bytes.length) fail(file, 'corrupt or truncated zip archive (central directory outside the file)');
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || v.getUint32(at, true) !== CENTRAL_SIGNATURE) fail(file, `corrupt zip central directory at entry ${i}`);
    const nameLength = v.getUint16(at + 28, true);
    const extraLength = v.getUint16(at + 30, true);
    const commentLength = v.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > bytes.length) fail(file, `corrupt zip central directory at entry ${i}`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    let compressedSize = v.getUint32(at + 20, true);
    let size = v.getUint32(at + 24, true);
    let localHeaderOffset = v.getUint32(at + 42, true);
    // Zip64: the 0xFFFFFFFF fields are in the extra field 0x0001, in this order.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      let x = at + 46 + nameLength;
      const end = x + extraLength;
      while (x + 4 <= end) {
        const id = v.getUint16(x, true);
        const length = v.getUint16(x + 2, true);
        if (id === 0x0001) {
          let y = x + 4;
          const next = () => {
            if (y + 8 > x + 4 + length) fail(file, `corrupt zip64 field of ${name}`);
            const value = Number(v.getBigUint64(y, true));
            y += 8;
            return value;
          };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
        }
        x += 4 + length;
      }
    }
    entries.push({ name, method: v.getUint16(at + 10, true), compressedSize, size, crc: v.getUint32(at + 16, true), localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's compressed bytes, located through its local header. */
function compressedData(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const v = view(bytes);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || v.getUint32(at, true) !== LOCAL_SIGNATURE) fail(file, `entry ${entry.name} is corrupt (bad local header)`);
  const start = at + 30 + v.getUint16(at + 26, true) + v.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length) fail(file, `entry ${entry.name} is truncated`);
  return bytes.subarray(start, start + entry.compressedSize);
}

/** Inflates the kept entries within the limits; see the header comment. */
export function unzipBounded(bytes: Uint8Array, file: string, limits: UnzipLimits): Map<string, Uint8Array> {
  const entries = zipEntries(bytes, file, limits.maxEntries).filter((e) => limits.keep?.(e.name) ?? true);
  const files = new Map<string, Uint8Array>();
  let remaining = limits.maxBytes;
  for (const entry of entries) {
    if (entry.method !== 0 && entry.method !== 8) fail(file, `entry ${entry.name} uses unsupported zip compression method ${entry.method}`);
    if (entry.size > remaining) fail(file, `archive expands beyond the ${limits.maxBytes}-byte limit`);
    const packed = compressedData(bytes, entry, file);
    let data: Uint8Array;
    if (entry.method === 0) data = packed;
    else {
      try {
        // One byte more than declared, so an entry that inflates past its claim is seen as such.
        data = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size + 1) });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
          fail(file, `entry ${entry.name} inflates to more than the ${entry.size} bytes its directory declares`);
        }
        fail(file, `entry ${entry.name} is corrupt (${(error as Error).message})`);
      }
    }
    if (data.length !== entry.size) fail(file, `entry ${entry.name} is corrupt: ${data.length} bytes, header says ${entry.size}`);
    if (crc32(data) !== entry.crc) fail(file, `entry ${entry.name} is corrupt (CRC-32 mismatch)`);
    remaining -= data.length;
    files.set(entry.name, data);
  }
  return files;
}
