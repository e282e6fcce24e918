// GET /downloads/:token — streams a blob named by a signed, org-bound token, after checking that
// a candidate, model version or dataset of that org references it.
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
    const referenced = await withTenant(services.database.db, claims.o, async (trx) => {
      const candidate = await trx.selectFrom('candidates').select('id').where((eb) => eb.or([eb('tflite_sha256', '=', sha), eb('tfjs_sha256', '=', sha)])).executeTakeFirst();
      return candidate !== undefined;
    });
    if (!referenced) return httpError(res, 404, 'NOT_FOUND', 'file not found');
    const filename = (claims.n ?? `${sha}.bin`).replace(/[^A-Za-z0-9._-]/g, '_');
    await streamBlob(services, res, sha, { 'Content-Disposition': `attachment; filename="${filename}"` }, req);
  };
}
