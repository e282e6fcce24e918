// Reads a response body into one Uint8Array, reporting progress per chunk.
import type { DownloadProgress } from './types.ts';

export async function readBody(response: Response, onProgress?: (progress: DownloadProgress) => void): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(length) && length > 0 ? length : null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ receivedBytes: bytes.length, totalBytes });
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    receivedBytes += value.length;
    onProgress?.({ receivedBytes, totalBytes });
  }
  const bytes = new Uint8Array(receivedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
