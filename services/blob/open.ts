import { join } from 'node:path';
import type { Config } from '../config.ts';
import { FileBlobStore } from './file-store.ts';

/** The installation's blob store: `<dataDir>/blobs`. */
export function openBlobStore(config: Pick<Config, 'dataDir'>): FileBlobStore {
  return new FileBlobStore(join(config.dataDir, 'blobs'));
}
