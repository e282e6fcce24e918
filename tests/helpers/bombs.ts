// Hostile uploads, built small in memory: deflate streams of zeros that expand ~1000×, written
// into hand-made zip archives whose directory may tell the truth or lie about entry sizes.
import { constants, crc32, deflateRawSync } from 'node:zlib';

const SEGMENT = 64 * 1024 * 1024;
let zerosSegment: Buffer | undefined;

/** A raw deflate stream that inflates to `segments` × 64 MiB of zeros, and the CRC-32 of that. */
export function deflatedZeros(segments: number): { packed: Buffer; size: number; crc: number } {
  const zeros = Buffer.alloc(SEGMENT);
  // Independently compressed segments, each ending byte-aligned (sync flush), concatenate into
  // one valid stream; an empty final block closes it.
  zerosSegment ??= deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  let crc = 0;
  for (let i = 0; i < segments; i++) crc = crc32(zeros, crc);
  return { packed: Buffer.concat([...Array.from({ length: segments }, () => zerosSegment!), deflateRawSync(Buffer.alloc(0))]), size: segments * SEGMENT, crc };
}

export interface ZipMember {
  name: string;
  /** Deflated bytes (method 8). */
  packed: Uint8Array;
  /** What the directory claims the entry inflates to. */
  declaredSize: number;
  crc: number;
}

/** A zip archive (no zip64) of deflated members, sizes and CRCs exactly as given. */
export function zipOf(members: ZipMember[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(m.crc >>> 0, 14);
    local.writeUInt32LE(m.packed.length, 18);
    local.writeUInt32LE(m.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(m.crc >>> 0, 16);
    entry.writeUInt32LE(m.packed.length, 20);
    entry.writeUInt32LE(m.declaredSize, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    parts.push(local, name, Buffer.from(m.packed));
    offset += 30 + name.length + m.packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, dir, end]));
}

/** A member holding `bytes`, honestly described. */
export function memberOf(name: string, bytes: Uint8Array): ZipMember {
  return { name, packed: deflateRawSync(bytes), declaredSize: bytes.length, crc: crc32(bytes) };
}
