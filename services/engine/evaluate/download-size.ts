// What a user downloads: the file gzip-compressed, as TF-MOT's "gzipped model size" measures
// the benefit of pruning (zeros compress; the raw .tflite size does not move). The API serves
// model files with this same encoding when the client accepts gzip.
import { gzipSync } from 'node:zlib';

/** Deflate level of TF-MOT's measurement (Python zipfile's default) and of our HTTP responses. */
export const DOWNLOAD_GZIP_LEVEL = 6;

export function gzipForDownload(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: DOWNLOAD_GZIP_LEVEL });
}

/** Bytes of `bytes` after gzip at DOWNLOAD_GZIP_LEVEL. */
export function downloadBytes(bytes: Uint8Array): number {
  return gzipForDownload(bytes).length;
}
