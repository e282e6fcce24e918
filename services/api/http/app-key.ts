// App-key authentication for the app routes (model download, telemetry): the Bearer secret maps
// to one project of one organization. A key of another project answers like a missing project.
import { sql } from 'kysely';
import type { Request, Response } from 'express';
import { bearerSecret } from '../auth.ts';
import type { ApiServices } from '../context.ts';
import { keyOf } from '../ids.ts';
import { hashAppKeySecret } from '../resolvers/projects.ts';
import { httpError } from './respond.ts';

export interface AppKeyCaller {
  keyId: string;
  orgId: string;
  projectId: string;
}

/** The caller of an app route, or undefined after answering 401/404. */
export async function appKeyCaller(services: ApiServices, req: Request, res: Response): Promise<AppKeyCaller | undefined> {
  const secret = bearerSecret(req.headers.authorization);
  if (!secret) {
    httpError(res, 401, 'UNAUTHENTICATED', 'send the project\'s app key as "Authorization: Bearer <key>"');
    return undefined;
  }
  const { rows } = await sql<{ key_id: string; org_id: string; project_id: string }>`select * from condense_lookup_app_key(${hashAppKeySecret(secret)})`.execute(
    services.database.db,
  );
  const key = rows[0];
  if (!key) {
    httpError(res, 401, 'UNAUTHENTICATED', 'invalid or revoked app key');
    return undefined;
  }
  const projectId = keyOf(String(req.params.projectId ?? ''), 'Project');
  if (projectId !== key.project_id) {
    httpError(res, 404, 'NOT_FOUND', 'no such project or channel');
    return undefined;
  }
  return { keyId: key.key_id, orgId: key.org_id, projectId: key.project_id };
}
