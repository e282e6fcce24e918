import { join } from 'node:path';
import type { Config } from '../config.ts';
import { makePrivateDir, restrictTree } from '../files/private.ts';
import { sweepStaleEntries } from '../files/stale.ts';
import { FileBlobStore } from './file-store.ts';

/**
 * The installation's blob store: `<dataDir>/blobs`, private (dirs 0700, files 0600; what an older
 * version left more open is repaired), with the partial uploads a crashed process left in
 * `blobs/tmp` removed.
 */
export function openBlobStore(config: Pick<Config, 'dataDir'>): FileBlobStore {
  const root = join(config.dataDir, 'blobs');
  makePrivateDir(config.dataDir);
  makePrivateDir(root);
  restrictTree(root);
  sweepStaleEntries(join(root, 'tmp'));
  return new FileBlobStore(root);
}
