// Streams a verified blob to an HTTP response. Clients that accept gzip get the file
// gzip-compressed (Content-Encoding: gzip, the same encoding `downloadBytes` measures), so a
// pruned model's zeros cost nothing on the wire; others get the raw bytes.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { RESPONSE_HEADERS } from '@condense/model-client';
import { BlobCorruptError, BlobNotFoundError } from '../../blob/index.ts';
import { gzipForDownload } from '../../engine/evaluate/download-size.ts';
import type { ApiServices } from '../context.ts';
import { httpError } from './respond.ts';

/** Files up to this size are gzipped in memory for clients that accept it; larger ones stream raw. */
export const MAX_GZIP_BYTES = 64 * 1024 * 1024;

/** True when Accept-Encoding lists gzip (or *) without q=0. */
export function acceptsGzip(req: Pick<Request, 'headers'>): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export async function streamBlob(services: ApiServices, res: Response, sha256: string, headers: Record<string, string>, req?: Pick<Request, 'headers'>): Promise<void> {
  let body: Readable | Uint8Array;
  let size: number | undefined;
  let decodedSize: number | undefined;
  try {
    size = (await services.blobs.stat(sha256))?.size;
    if (req && acceptsGzip(req) && size !== undefined && size <= MAX_GZIP_BYTES) {
      body = gzipForDownload(await services.blobs.read(sha256));
      decodedSize = size;
      size = body.length;
    } else {
      const opened = await services.blobs.open(sha256);
      body = opened instanceof Readable ? opened : Readable.from(opened as AsyncIterable<Uint8Array>);
    }
  } catch (error) {
    if (error instanceof BlobNotFoundError) return httpError(res, 404, 'NOT_FOUND', 'file not found');
    if (error instanceof BlobCorruptError) {
      services.log(`corrupt blob ${sha256} refused`);
      return httpError(res, 500, 'CORRUPT', 'the stored file is damaged and is not served');
    }
    throw error;
  }
  res.status(200);
  res.setHeader('Content-Type', 'application/octet-stream');
  if (req) res.setHeader('Vary', 'Accept-Encoding');
  if (decodedSize !== undefined) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader(RESPONSE_HEADERS.decodedLength, String(decodedSize));
  }
  if (size !== undefined) res.setHeader('Content-Length', String(size));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body instanceof Uint8Array) {
    res.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    return;
  }
  await pipeline(body, res).catch(() => res.destroy());
}
