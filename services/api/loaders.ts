// Loading one object by uuid inside the caller's tenant. RLS makes another org's row invisible,
// so "other org" and "does not exist" are the same answer: null.
import type { Selectable } from 'kysely';
import type { TenantTransaction } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import { getTarget, listTargets } from '../targets/index.ts';
import type { ApiContext } from './context.ts';
import { fromGlobalId, toGlobalId, type NodeType } from './ids.ts';
import { ApiKey, AppKey, Member, Organization, Team } from './types/org.ts';
import { Dataset, Deployment, Model, ModelVersion, Project, Upload } from './types/project.ts';
import { Candidate, CompressionRun, HardwareTarget, Plugin } from './types/run.ts';
import type { Node } from './types/common.ts';
import type { PluginInfo } from './dependencies.ts';
import type { ByIdTable } from './request-loaders.ts';

type Loader = (context: ApiContext, key: string) => Promise<Node | null>;

/** A node type whose rows are loaded by id through the request's batched loader. */
const batched = <T extends ByIdTable>(table: T, toNode: (row: Selectable<DB[T]>) => Node): Loader => async (context, key) => {
  const row = await context.loaders.byId(table).load(key);
  return row ? toNode(row) : null;
};

export const loadProjectRow = (trx: TenantTransaction, id: string) => trx.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();

export async function loadMember(trx: TenantTransaction, userId: string): Promise<Member | null> {
  const row = await trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'm.display_name', 'm.role', 'm.created_at'])
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  return row ? Member.from(row) : null;
}

const apiKeyColumns = ['id', 'user_id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'] as const;

export function apiKeyFromRow(row: { id: string; user_id: string; name: string; prefix: string; scopes: string[]; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiKey {
  return ApiKey.from({
    id: row.id, userId: row.user_id, name: row.name, prefix: row.prefix, scopes: row.scopes, createdAt: row.created_at,
    lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
  });
}

const loaders: Partial<Record<NodeType, Loader>> = {
  Organization: batched('organizations', Organization.from),
  Team: batched('teams', Team.from),
  Member: (context, key) => context.tenant((trx) => loadMember(trx, key)),
  ApiKey: (context, key) =>
    context.tenant(async (trx) => {
      const row = await trx.selectFrom('api_keys').select([...apiKeyColumns]).where('id', '=', key).executeTakeFirst();
      return row ? apiKeyFromRow(row) : null;
    }),
  AppKey: batched('app_keys', AppKey.from),
  Project: batched('projects', Project.from),
  Model: batched('models', Model.from),
  ModelVersion: batched('model_versions', ModelVersion.from),
  Dataset: batched('datasets', Dataset.from),
  Upload: batched('uploads', Upload.from),
  CompressionRun: batched('compression_runs', CompressionRun.from),
  Candidate: batched('candidates', Candidate.from),
  Deployment: batched('deployments', Deployment.from),
};

export function hardwareTargetNode(id: string): HardwareTarget | null {
  const target = listTargets().find((t) => t.id === id);
  if (!target) return null;
  return Object.assign(new HardwareTarget(), {
    id: toGlobalId('HardwareTarget', target.id), targetId: target.id, name: target.name, description: target.description, runtime: target.runtime,
    format: target.format, tensorTypes: [...target.tensorTypes], ops: [...target.ops], maxFileBytes: target.maxFileBytes,
    maxActivationBytes: target.maxActivationBytes, preferredQuantization: target.preferredQuantization,
  });
}

export function pluginNode(info: PluginInfo): Plugin {
  return Object.assign(new Plugin(), {
    id: toGlobalId('Plugin', info.name), name: info.name, version: info.version, kind: info.kind, summary: info.summary, sdk: info.sdk,
    hardwareTargets: info.hardwareTargets ?? [], configSchema: info.configSchema ?? {}, manifest: info as unknown as Record<string, unknown>,
  });
}

/** Target ids that do not exist in the catalog. */
export function unknownTargets(ids: string[]): string[] {
  return ids.filter((id) => {
    try {
      getTarget(id);
      return false;
    } catch {
      return true;
    }
  });
}

/** The object behind a global id if the caller may see it; null otherwise. */
export async function loadNode(context: ApiContext, id: string): Promise<Node | null> {
  const decoded = fromGlobalId(id);
  if (!decoded) return null;
  if (decoded.type === 'HardwareTarget') return hardwareTargetNode(decoded.key);
  if (decoded.type === 'Plugin') {
    const info = (await context.services.plugins.list()).find((p) => p.name === decoded.key);
    return info ? pluginNode(info) : null;
  }
  const loader = loaders[decoded.type];
  if (!loader) return null;
  return loader(context, decoded.key);
}
