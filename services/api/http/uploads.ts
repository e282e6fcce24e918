// PUT /uploads/:uploadId?token=… — streams the request body into the blob store, enforcing the
// declared size (and the server limit) and the declared SHA-256. A failed PUT stores nothing and
// leaves the upload pending (retry with the same URL); the error is remembered on the upload.
import type { Request, Response } from 'express';
import { withTenant } from '../../db/tenant.ts';
import { BlobHashMismatchError, BlobTooLargeError } from '../../blob/index.ts';
import type { ApiServices } from '../context.ts';
import { toGlobalId } from '../ids.ts';
import { httpError } from './respond.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function uploadHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    const uploadId = String(req.params.uploadId ?? '');
    const claims = services.signer.verify(String(req.query.token ?? ''), 'upload');
    if (!claims || claims.s !== uploadId || !UUID.test(uploadId)) {
      req.resume();
      return httpError(res, 403, 'INVALID_SIGNATURE', 'the upload URL is invalid or has expired; ask for a new one with createUpload');
    }
    const db = services.database.db;
    const upload = await withTenant(db, claims.o, (trx) => trx.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst());
    if (!upload) {
      req.resume();
      return httpError(res, 404, 'NOT_FOUND', 'upload not found');
    }
    if (upload.status !== 'pending') {
      req.resume();
      return httpError(res, 409, 'ALREADY_RECEIVED', `the bytes of this upload were already received (status ${upload.status})`);
    }
    if (upload.expires_at.getTime() < Date.now()) {
      req.resume();
      return httpError(res, 410, 'UPLOAD_EXPIRED', 'the upload URL has expired; ask for a new one with createUpload');
    }
    const declared = Number(upload.declared_bytes);
    const limit = Math.min(declared, services.config.maxUploadBytes);
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader !== undefined && Number(lengthHeader) > limit) {
      req.resume();
      await remember(services, claims.o, uploadId, `sent ${lengthHeader} bytes, the upload declared ${declared}`);
      return httpError(res, 413, 'TOO_LARGE', `the body has ${lengthHeader} bytes; the upload declared ${declared} (server limit ${services.config.maxUploadBytes})`);
    }
    let stored: { sha256: string; size: number };
    try {
      stored = await services.blobs.put(req, { maxBytes: limit, expectedSha256: upload.declared_sha256 });
    } catch (error) {
      let status = 400;
      let code = 'UPLOAD_FAILED';
      let message = `the upload did not complete: ${(error as Error).message}`;
      if (error instanceof BlobTooLargeError) {
        status = 413;
        code = 'TOO_LARGE';
        message = `more than the declared ${declared} bytes arrived`;
      } else if (error instanceof BlobHashMismatchError) {
        code = 'SHA256_MISMATCH';
        message = `the bytes hash to ${error.actual}, not the declared ${upload.declared_sha256} (truncated or corrupted upload?)`;
      }
      await remember(services, claims.o, uploadId, message);
      return httpError(res, status, code, message);
    }
    if (stored.size !== declared) {
      // Same hash with another size cannot happen; kept as a guard for stores without hash checks.
      await remember(services, claims.o, uploadId, `received ${stored.size} bytes, declared ${declared}`);
      return httpError(res, 400, 'SIZE_MISMATCH', `received ${stored.size} bytes, the upload declared ${declared}`);
    }
    await withTenant(db, claims.o, (trx) =>
      trx.updateTable('uploads').set({ status: 'received', bytes: stored.size, error: null }).where('id', '=', uploadId).where('status', '=', 'pending').execute(),
    );
    res.status(200).json({ upload: { id: toGlobalId('Upload', uploadId), status: 'RECEIVED', bytes: stored.size, sha256: stored.sha256 } });
  };
}

async function remember(services: ApiServices, orgId: string, uploadId: string, message: string): Promise<void> {
  await withTenant(services.database.db, orgId, (trx) =>
    trx.updateTable('uploads').set({ error: message }).where('id', '=', uploadId).where('status', '=', 'pending').execute(),
  ).catch(() => undefined);
}
