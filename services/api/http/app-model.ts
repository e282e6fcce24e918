// GET /v1/projects/:projectId/channels/:channel/model — what apps call to fetch the deployed model.
// Authenticated by a per-project app key (Bearer); answers with the .tflite bytes and an ETag
// (the SHA-256), or 304 when If-None-Match already names it. The protocol (headers included) is
// documented in services/model-client/README.md.
import type { Request, Response } from 'express';
import { REQUEST_HEADERS, RESPONSE_HEADERS } from '@condense/model-client';
import { assignCandidate, type DeviceContext } from '../../delivery/rollout.ts';
import { currentRollout } from '../../delivery/rollout-store.ts';
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
    const device = deviceOf(req);
    const live = await withTenant(services.database.db, key.orgId, async (trx) => {
      // An archived project serves nothing, whatever its deployments and rollouts.
      const project = await trx.selectFrom('projects').select('archived_at').where('id', '=', key.projectId).executeTakeFirst();
      if (!project || project.archived_at) return undefined;
      const latest = await trx.selectFrom('deployments as d').innerJoin('candidates as c', 'c.id', 'd.candidate_id')
        .select(['d.id', 'd.candidate_id', 'c.tflite_sha256'])
        .where('d.project_id', '=', key.projectId).where('d.channel', '=', channel)
        .orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(1).executeTakeFirst();
      // A rollout rule the device matches overrides the latest deployment.
      const rollout = await currentRollout(trx, key.projectId, channel);
      const assigned = rollout ? assignCandidate(rollout.rules, key.projectId, channel, device) : null;
      if (!assigned) return latest && { ...latest, rolloutId: null };
      const candidate = await trx.selectFrom('candidates').select(['id', 'tflite_sha256']).where('id', '=', assigned.candidateId).executeTakeFirst();
      return candidate && { id: latest?.id ?? null, candidate_id: candidate.id, tflite_sha256: candidate.tflite_sha256, rolloutId: rollout!.id };
    });
    if (!live?.tflite_sha256) return httpError(res, 404, 'NOT_FOUND', 'no such project or channel');
    const etag = `"${live.tflite_sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (live.id) res.setHeader(RESPONSE_HEADERS.deployment, toGlobalId('Deployment', live.id));
    if (live.rolloutId) res.setHeader(RESPONSE_HEADERS.rollout, live.rolloutId);
    res.setHeader('Vary', 'Authorization, ' + Object.values(REQUEST_HEADERS).join(', '));
    res.setHeader(RESPONSE_HEADERS.candidate, toGlobalId('Candidate', live.candidate_id));
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
      res.status(304).end();
      return;
    }
    await streamBlob(services, res, live.tflite_sha256, { 'Content-Disposition': 'attachment; filename="model.tflite"' }, req);
  };
}

/** The device headers (REQUEST_HEADERS), trimmed and bounded; absent ones stay undefined. */
export function deviceOf(req: Request): DeviceContext {
  const header = (name: string) => {
    const value = req.header(name)?.trim();
    return value ? value.slice(0, 128) : undefined;
  };
  return {
    installId: header(REQUEST_HEADERS.installId), platform: header(REQUEST_HEADERS.platform),
    appVersion: header(REQUEST_HEADERS.appVersion), deviceClass: header(REQUEST_HEADERS.deviceClass),
  };
}
