// GET /v1/projects/:projectId/channels/:channel/model — what apps call to fetch the deployed model.
// Authenticated by a per-project app key (Bearer); answers with the .tflite bytes and an ETag
// (the SHA-256), or 304 when If-None-Match already names it.
import { sql } from 'kysely';
import type { Request, Response } from 'express';
import { withTenant } from '../../db/tenant.ts';
import { bearerSecret } from '../auth.ts';
import type { ApiServices } from '../context.ts';
import { keyOf, toGlobalId } from '../ids.ts';
import { hashAppKeySecret } from '../resolvers/projects.ts';
import { httpError } from './respond.ts';
import { streamBlob } from './stream.ts';

export function appModelHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    const secret = bearerSecret(req.headers.authorization);
    if (!secret) return httpError(res, 401, 'UNAUTHENTICATED', 'send the project\'s app key as "Authorization: Bearer <key>"');
    const { rows } = await sql<{ key_id: string; org_id: string; project_id: string }>`select * from condense_lookup_app_key(${hashAppKeySecret(secret)})`.execute(
      services.database.db,
    );
    const key = rows[0];
    if (!key) return httpError(res, 401, 'UNAUTHENTICATED', 'invalid or revoked app key');
    // A key of another project answers exactly like a project that does not exist.
    const projectId = keyOf(String(req.params.projectId ?? ''), 'Project');
    if (projectId !== key.project_id) return httpError(res, 404, 'NOT_FOUND', 'no such project or channel');
    const channel = String(req.params.channel ?? '');
    const live = await withTenant(services.database.db, key.org_id, (trx) =>
      trx.selectFrom('deployments as d').innerJoin('candidates as c', 'c.id', 'd.candidate_id')
        .select(['d.id', 'c.tflite_sha256'])
        .where('d.project_id', '=', key.project_id).where('d.channel', '=', channel)
        .orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(1).executeTakeFirst(),
    );
    if (!live?.tflite_sha256) return httpError(res, 404, 'NOT_FOUND', 'no such project or channel');
    const etag = `"${live.tflite_sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Condense-Deployment', toGlobalId('Deployment', live.id));
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
      res.status(304).end();
      return;
    }
    await streamBlob(services, res, live.tflite_sha256, { 'Content-Disposition': 'attachment; filename="model.tflite"' });
  };
}
