// Registers a model file and a dataset file as a compression run in a local (embedded) database
// — what `condense compress` does before handing the run to the embedded runner. The rows are the
// same the API creates after uploads, so the run is visible through `condense serve` as well.
import { basename } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { BlobStore } from '../blob/types.ts';
import { openDataset } from '../engine/data/index.ts';
import { inspectModel } from '../engine/import/index.ts';
import { withSystem, withTenant } from '../db/tenant.ts';
import type { DB, RunConstraintsJson, TechniqueChoiceJson } from '../db/types/index.ts';
import { bootstrapOrganization } from '../tenancy/bootstrap.ts';

export interface LocalRunRequest {
  model: { filename: string; bytes: Uint8Array };
  data: { filename: string; bytes: Uint8Array };
  targets: string[];
  constraints?: RunConstraintsJson;
  /** Seconds of training the planner may spend (services/planner/budget.ts); absent = the default. */
  budgetSeconds?: number;
  /** null/undefined = let the planner choose ("auto"). */
  techniques?: TechniqueChoiceJson[] | null;
  /** Seed of the dataset split; must match the activities' datasetSeed. */
  datasetSeed?: number;
  /** Where training steps run (default cpu). */
  hardwareClass?: 'cpu' | 'gpu';
}

const LOCAL_SLUG = 'local';

/** The local organization of this database (created on first use). */
export async function localOrganization(db: Kysely<DB>): Promise<string> {
  const existing = await withSystem(db, (trx) => trx.selectFrom('organizations').select('id').where('slug', '=', LOCAL_SLUG).executeTakeFirst());
  if (existing) return existing.id;
  const created = await bootstrapOrganization(db, { name: 'Local', slug: LOCAL_SLUG, ownerEmail: 'local@condense.invalid', ownerName: 'Local user' });
  return created.organization.id;
}

export async function createLocalRun(db: Kysely<DB>, blobs: BlobStore, request: LocalRunRequest): Promise<{ orgId: string; runId: string }> {
  // Validate before storing anything: both throw one-line typed errors.
  const meta = await inspectModel(request.model);
  const dataset = await openDataset(request.data, { seed: request.datasetSeed ?? 1 });
  const info = dataset.info;
  await dataset.close();
  const modelBlob = await blobs.put(request.model.bytes);
  const dataBlob = await blobs.put(request.data.bytes);
  const orgId = await localOrganization(db);
  const runId = await withTenant(db, orgId, async (trx) => {
    const project =
      (await trx.selectFrom('projects').select('id').where('name', '=', 'local').executeTakeFirst()) ??
      (await trx.insertInto('projects').values({ org_id: orgId, name: 'local' }).returning('id').executeTakeFirstOrThrow());
    const modelName = basename(request.model.filename);
    const model =
      (await trx.selectFrom('models').select('id').where('project_id', '=', project.id).where('name', '=', modelName).executeTakeFirst()) ??
      (await trx.insertInto('models').values({ org_id: orgId, project_id: project.id, name: modelName }).returning('id').executeTakeFirstOrThrow());
    const next = await trx
      .selectFrom('model_versions')
      .select(sql<number>`coalesce(max(version), 0) + 1`.as('v'))
      .where('model_id', '=', model.id)
      .executeTakeFirstOrThrow();
    const version = await trx
      .insertInto('model_versions')
      .values({
        org_id: orgId,
        model_id: model.id,
        version: Number(next.v),
        filename: modelName,
        format: meta.format,
        blob_sha256: modelBlob.sha256,
        bytes: modelBlob.size,
        parameter_count: meta.parameterCount,
        signature: JSON.stringify(meta.signature),
        layer_types: JSON.stringify(meta.layerTypes),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const ds = await trx
      .insertInto('datasets')
      .values({
        org_id: orgId,
        project_id: project.id,
        name: basename(request.data.filename),
        filename: basename(request.data.filename),
        format: info.format,
        kind: info.kind,
        blob_sha256: dataBlob.sha256,
        bytes: dataBlob.size,
        sample_count: info.sampleCount,
        num_classes: info.numClasses,
        labels: JSON.stringify(info.labels),
        splits: JSON.stringify(info.splits),
        input_shape: JSON.stringify(info.inputShape),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const run = await trx
      .insertInto('compression_runs')
      .values({
        org_id: orgId,
        project_id: project.id,
        model_version_id: version.id,
        dataset_id: ds.id,
        targets: JSON.stringify(request.targets),
        techniques: request.techniques ? JSON.stringify(request.techniques) : null,
        constraints: JSON.stringify(request.constraints ?? {}),
        hardware_class: request.hardwareClass ?? 'cpu',
        budget_seconds: request.budgetSeconds ?? null,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return run.id;
  });
  return { orgId, runId };
}
