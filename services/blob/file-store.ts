// Content-addressed blobs on a local disk: `<root>/ab/cd/<sha256>`.
// Writes stream into `<root>/tmp/` while hashing and counting, then rename into place, so a
// partial blob is never visible and concurrent writers of the same content are harmless.
// Directories are created 0700 and files 0600 (services/files/private.ts).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import {
  BlobCorruptError,
  BlobHashMismatchError,
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidBlobIdError,
} from './errors.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../files/private.ts';
import { SHA256_PATTERN, type BlobStore, type PutOptions, type PutResult } from './types.ts';

function checkId(sha256: string): string {
  if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) throw new InvalidBlobIdError(String(sha256));
  return sha256;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  // A stream with an encoding set yields strings; store their bytes rather than fail oddly.
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

export class FileBlobStore implements BlobStore {
  constructor(readonly rootDir: string) {}

  pathOf(sha256: string): string {
    checkId(sha256);
    return join(this.rootDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: AsyncIterable<Uint8Array> | Uint8Array, opts: PutOptions = {}): Promise<PutResult> {
    if (opts.expectedSha256 !== undefined) checkId(opts.expectedSha256);
    const tmpDir = join(this.rootDir, 'tmp');
    await mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmpPath = join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(tmpPath, 'wx', PRIVATE_FILE_MODE);
    let placed = false;
    try {
      try {
        for await (const chunk of chunksOf(source)) {
          size += chunk.byteLength;
          if (opts.maxBytes !== undefined && size > opts.maxBytes) throw new BlobTooLargeError(opts.maxBytes);
          hash.update(chunk);
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const sha256 = hash.digest('hex');
      if (opts.expectedSha256 !== undefined && opts.expectedSha256 !== sha256) {
        throw new BlobHashMismatchError(opts.expectedSha256, sha256);
      }
      const target = this.pathOf(sha256);
      // An intact copy already there wins; a corrupt one is replaced by the fresh bytes.
      if (!(await this.isIntact(sha256))) {
        await mkdir(join(target, '..'), { recursive: true, mode: PRIVATE_DIR_MODE });
        await rename(tmpPath, target);
        placed = true;
      }
      return { sha256, size };
    } finally {
      if (!placed) await rm(tmpPath, { force: true });
    }
  }

  async read(sha256: string): Promise<Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256));
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(sha256);
      throw error;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new BlobCorruptError(sha256);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async open(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    if (!(await this.isIntact(sha256))) {
      if ((await this.stat(sha256)) === null) throw new BlobNotFoundError(sha256);
      throw new BlobCorruptError(sha256);
    }
    // Hash again while streaming: if the file changes after the check, the stream errors at the
    // end instead of completing as if the bytes were good.
    const hash = createHash('sha256');
    const guard = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        callback(hash.digest('hex') === sha256 ? null : new BlobCorruptError(sha256));
      },
    });
    const stream = createReadStream(path);
    stream.on('error', (error) => guard.destroy(isMissing(error) ? new BlobNotFoundError(sha256) : error));
    return stream.pipe(guard);
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.pathOf(sha256));
      return { size: s.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** True when the blob exists and its bytes hash to its name. */
  private async isIntact(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.pathOf(sha256))) hash.update(chunk as Buffer);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    return hash.digest('hex') === sha256;
  }
}
