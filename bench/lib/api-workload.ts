// The API workload that bench/api.ts measures and tests/api/statements.test.ts counts: a fresh
// organization with 10 projects (one of them with a model version, a dataset and a run), the
// typical query (viewer + 10 projects), and the write path (createProject + startRun with an
// idempotency key). Every call makes a new organization, so it can run again on the same database.
import { randomBytes } from 'node:crypto';
import type { Database } from '../../services/db/database.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { toGlobalId } from '../../services/api/ids.ts';
import { bootstrapOrganization } from '../../services/tenancy/index.ts';

export const TYPICAL_QUERY = '{ viewer { role organization { name } } projects(first: 10) { totalCount edges { cursor node { id name createdAt } } } }';

export interface BenchOrg {
  orgId: string;
  key: string;
  runId: string;
  modelVersionId: string;
  datasetId: string;
}

/** A new organization `bench-<random>` with `projects` projects; the last holds a model version, a dataset and a queued run. */
export async function seedBenchOrg(database: Database, projects = 10): Promise<BenchOrg> {
  const slug = `bench-${randomBytes(5).toString('hex')}`;
  const boot = await bootstrapOrganization(database.db, { name: 'Bench', slug, ownerEmail: `${slug}@example.test`, ownerName: 'Bench' });
  const orgId = boot.organization.id;
  return withTenant(database.db, orgId, async (trx) => {
    let projectId = '';
    for (let i = 0; i < projects; i++) {
      projectId = (await trx.insertInto('projects').values({ org_id: orgId, name: `project-${i}` }).returning('id').executeTakeFirstOrThrow()).id;
    }
    const model = await trx.insertInto('models').values({ org_id: orgId, project_id: projectId, name: 'm' }).returning('id').executeTakeFirstOrThrow();
    const sha = 'a'.repeat(64);
    const version = await trx.insertInto('model_versions').values({
      org_id: orgId, model_id: model.id, version: 1, filename: 'm.keras', format: 'keras-zip', blob_sha256: sha, bytes: 1, parameter_count: 1,
      signature: JSON.stringify({ inputs: [], outputs: [] }), layer_types: JSON.stringify([]),
    }).returning('id').executeTakeFirstOrThrow();
    const dataset = await trx.insertInto('datasets').values({
      org_id: orgId, project_id: projectId, name: 'd', filename: 'd.csv', format: 'csv', kind: 'tensor', blob_sha256: sha, bytes: 1, sample_count: 1,
      num_classes: 2, labels: JSON.stringify(['a', 'b']), splits: JSON.stringify({ train: 1 }), input_shape: JSON.stringify([1]),
    }).returning('id').executeTakeFirstOrThrow();
    const run = await trx.insertInto('compression_runs').values({
      org_id: orgId, project_id: projectId, model_version_id: version.id, dataset_id: dataset.id, targets: JSON.stringify(['cpu-int8']), constraints: '{}',
    }).returning('id').executeTakeFirstOrThrow();
    await appendRunEvent(trx, { orgId, runId: run.id, type: 'RUN_QUEUED' });
    return { orgId, key: boot.apiKey.secret, runId: run.id, modelVersionId: toGlobalId('ModelVersion', version.id), datasetId: toGlobalId('Dataset', dataset.id) };
  });
}

/** The write path as GraphQL request bodies; `$N`/`$RUN` make names and idempotency keys unique (see bench/lib/http-load.ts). */
export function writeBodies(org: BenchOrg): { createProject: string; startRun: string } {
  return {
    createProject: JSON.stringify({
      query: 'mutation($name: String!) { createProject(input: { name: $name }) { project { id name } userErrors { code message } } }',
      variables: { name: 'w-$RUN-$N' },
    }),
    startRun: JSON.stringify({
      query: 'mutation($input: StartRunInput!) { startRun(input: $input) { run { id status } userErrors { code message } } }',
      variables: { input: { modelVersionId: org.modelVersionId, datasetId: org.datasetId, targets: ['cpu-int8'], idempotencyKey: 'bench-$RUN-$N' } },
    }),
  };
}
