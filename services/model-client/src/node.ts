// `@condense/model-client/node`: a file-system ModelCache for Node (and React Native file-system
// bridges with the same API). Each entry is two files: <name>.tflite and <name>.json, written to a
// temporary name and renamed, so a crash never leaves a half-written model behind.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CachedModel, ModelCache } from './cache.ts';

export class FileSystemModelCache implements ModelCache {
  constructor(readonly directory: string) {}

  #paths(key: string): { bytes: string; meta: string } {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return { bytes: join(this.directory, `${name}.tflite`), meta: join(this.directory, `${name}.json`) };
  }

  async get(key: string): Promise<CachedModel | undefined> {
    const paths = this.#paths(key);
    try {
      const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as Omit<CachedModel, 'bytes'>;
      return { ...meta, bytes: new Uint8Array(await readFile(paths.bytes)) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async put(key: string, model: CachedModel): Promise<void> {
    const paths = this.#paths(key);
    await mkdir(this.directory, { recursive: true });
    const { bytes, ...meta } = model;
    // Bytes first, metadata last: a reader never finds metadata that names bytes not yet written.
    await writeFile(`${paths.bytes}.tmp`, bytes);
    await rename(`${paths.bytes}.tmp`, paths.bytes);
    await writeFile(`${paths.meta}.tmp`, JSON.stringify(meta));
    await rename(`${paths.meta}.tmp`, paths.meta);
  }

  async delete(key: string): Promise<void> {
    const paths = this.#paths(key);
    await rm(paths.meta, { force: true });
    await rm(paths.bytes, { force: true });
  }
}

export * from './index.ts';
