// Streams a verified blob to an HTTP response.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Response } from 'express';
import { BlobCorruptError, BlobNotFoundError } from '../../blob/index.ts';
import type { ApiServices } from '../context.ts';
import { httpError } from './respond.ts';

export async function streamBlob(services: ApiServices, res: Response, sha256: string, headers: Record<string, string>): Promise<void> {
  let body: Readable;
  let size: number | undefined;
  try {
    size = (await services.blobs.stat(sha256))?.size;
    const opened = await services.blobs.open(sha256);
    body = opened instanceof Readable ? opened : Readable.from(opened as AsyncIterable<Uint8Array>);
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
  if (size !== undefined) res.setHeader('Content-Length', String(size));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  await pipeline(body, res).catch(() => res.destroy());
}
