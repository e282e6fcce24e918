// GET /v1/projects/:projectId/channels/:channel/model — what apps call to fetch the deployed model.
// Authenticated by a per-project app key (Bearer); answers with the .tflite bytes and an ETag
// (the SHA-256), or 304 when If-None-Match already names it. The protocol (headers included) is
// documented in services/model-client/README.md.
import type { Request, Response } from 'express';
import { RESPONSE_HEADERS } from '@condense/model-client';
import { withTenant } from '../../db/tenant.ts';
import type { ApiServices } from '../context.ts';
import { toGlobalId } from '../ids.ts';
import { appKeyCaller } from './app-key.ts';
import { httpError } from './respond.ts';
import { streamBlob } from './stream.ts';

export function appModelHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    const key = await appKeyCaller(services, req, res);
    if (!key) return;
    const channel = String(req.params.channel ?? '');
    const live = await withTenant(services.database.db, key.orgId, (trx) =>
      trx.selectFrom('deployments as d').innerJoin('candidates as c', 'c.id', 'd.candidate_id')
        // An archived project serves nothing.
        .innerJoin('projects as p', (join) => join.onRef('p.id', '=', 'd.project_id').on('p.archived_at', 'is', null))
        .select(['d.id', 'd.candidate_id', 'c.tflite_sha256'])
        .where('d.project_id', '=', key.projectId).where('d.channel', '=', channel)
        .orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(1).executeTakeFirst(),
    );
    if (!live?.tflite_sha256) return httpError(res, 404, 'NOT_FOUND', 'no such project or channel');
    const etag = `"${live.tflite_sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader(RESPONSE_HEADERS.deployment, toGlobalId('Deployment', live.id));
    res.setHeader(RESPONSE_HEADERS.candidate, toGlobalId('Candidate', live.candidate_id));
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
      res.status(304).end();
      return;
    }
    await streamBlob(services, res, live.tflite_sha256, { 'Content-Disposition': 'attachment; filename="model.tflite"' }, req);
  };
}
