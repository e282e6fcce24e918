// Reads a response body into one Uint8Array, reporting progress per chunk.
import { RESPONSE_HEADERS } from './protocol.ts';
import type { DownloadProgress } from './types.ts';

export async function readBody(response: Response, onProgress?: (progress: DownloadProgress) => void): Promise<Uint8Array> {
  // fetch decodes a gzip body transparently, so progress counts decoded bytes: compare them with
  // the decoded size the server announces, not with the compressed Content-Length.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const length = Number(response.headers.get(encoded ? RESPONSE_HEADERS.decodedLength : 'content-length'));
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
