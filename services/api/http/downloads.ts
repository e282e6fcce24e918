// GET /downloads/:token — streams a blob named by a signed, org-bound token, after checking that
// the API key that minted the URL is still valid (a URL dies with its key) and that a candidate
// of that org references the blob.
import type { Request, Response } from 'express';
import { withTenant } from '../../db/tenant.ts';
import type { ApiServices } from '../context.ts';
import { httpError } from './respond.ts';
import { streamBlob } from './stream.ts';

export function downloadHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    const claims = services.signer.verify(String(req.params.token ?? ''), 'download');
    if (!claims) return httpError(res, 403, 'INVALID_SIGNATURE', 'the download URL is invalid or has expired; query the candidate again for a fresh one');
    const sha = claims.s;
    const keyId = claims.k;
    const found = await withTenant(services.database.db, claims.o, async (trx) => {
      // URLs minted before keys were bound (no `k`) live out their short expiry.
      const key = keyId === undefined ? true : await trx.selectFrom('api_keys').select('id').where('id', '=', keyId).where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())])).executeTakeFirst();
      if (!key) return 'revoked';
      const candidate = await trx.selectFrom('candidates').select('id').where((eb) => eb.or([eb('tflite_sha256', '=', sha), eb('tfjs_sha256', '=', sha)])).executeTakeFirst();
      return candidate !== undefined ? 'ok' : 'missing';
    });
    if (found === 'revoked') return httpError(res, 403, 'INVALID_SIGNATURE', 'the API key that created this download URL was revoked; query the candidate again with a valid key');
    if (found === 'missing') return httpError(res, 404, 'NOT_FOUND', 'file not found');
    const filename = (claims.n ?? `${sha}.bin`).replace(/[^A-Za-z0-9._-]/g, '_');
    await streamBlob(services, res, sha, { 'Content-Disposition': `attachment; filename="${filename}"` }, req);
  };
}
