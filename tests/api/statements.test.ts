// Statements and round trips per request, counted at the database pool: the typical query
// (viewer + 10 projects) costs a fixed, small number, and nested lists cost the same whatever the
// number of parents, so an N+1 regression (a statement per listed object) fails here; statements
// asked for in the same tick share one round trip (services/db/pipeline.ts). Runs on PGlite and, in CI, on
// PostgreSQL 15 (DATABASE_URL).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TYPICAL_QUERY, seedBenchOrg, writeBodies, type BenchOrg } from '../../bench/lib/api-workload.ts';
import { toGlobalId } from '../../services/api/ids.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';
import { gql } from './harness.ts';

const NESTED = `{ projects(first: 50) { totalCount edges { node { name
  models(first: 5) { totalCount edges { node { name project { name } versions(first: 5) { totalCount edges { node { version model { name } } } } } } }
  datasets(first: 5) { totalCount edges { node { name project { name } } } }
  runs(first: 5) { totalCount edges { node { status project { name } modelVersion { version } dataset { name } candidates(first: 5) { totalCount } } } }
} } } }`;

describe('statements per request', () => {
  let database: Database;
  let server: ApiServer;
  let dataDir: string;
  let org: BenchOrg;

  /**
   * Until a read's COMMIT, deferred to its connection's next statements (DEFERRED_COMMIT in
   * services/db/dialect.ts), has gone out on its own: a request alone on the server pays for it.
   */
  async function settled(): Promise<void> {
    while (database.statements.deferredCommits > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /** Statements (and round trips) the pool sent while answering `query` once (the key is already verified and cached). */
  async function statementsFor(query: string, variables: Record<string, unknown> = {}): Promise<{ statements: number; roundTrips: number; data: any }> {
    await settled();
    const before = { ...database.statements };
    const res = await gql(server, org.key, query, variables);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    await settled();
    return { statements: database.statements.count - before.count, roundTrips: database.statements.roundTrips - before.roundTrips, data: res.body.data };
  }

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'condense-statements-'));
    const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test' });
    // A long auth cache, so no key re-verification lands inside a measured request.
    server = await createServer({ database, config, port: 0, host: '127.0.0.1', rateLimit: false, authCacheMs: 600_000, limits: { maxCost: 100_000 }, log: () => undefined });
    org = await seedBenchOrg(database);
    await gql(server, org.key, '{ viewer { role } }');
  });
  after(async () => {
    await server?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the typical query (viewer + 10 projects) is one transaction of 5 statements in 2 round trips', async () => {
    const { statements, roundTrips, data } = await statementsFor(TYPICAL_QUERY);
    assert.equal(data.projects.edges.length, 10);
    assert.equal(data.projects.totalCount, 10);
    // BEGIN, role + org (one statement), the organization, the projects with their count — one
    // pipeline — then COMMIT (alone here; under load it leaves with the connection's next pipeline).
    assert.equal(statements, 5);
    assert.equal(roundTrips, 2);
  });

  it('node lookups are batched: nodes() of 10 projects is one select', async () => {
    const { data: list } = await statementsFor('{ projects(first: 10) { edges { node { id } } } }');
    const ids = list.projects.edges.map((e: { node: { id: string } }) => e.node.id);
    const { statements, roundTrips, data } = await statementsFor('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Project { name } } }', { ids });
    assert.deepEqual(data.nodes.map((n: { id: string }) => n.id), ids);
    assert.equal(statements, 4); // BEGIN, settings, one select of the 10, COMMIT
    assert.equal(roundTrips, 2);
  });

  it('nested lists cost the same number of statements for 10 and for 30 projects (no N+1)', async () => {
    const small = await statementsFor(NESTED);
    assert.equal(small.data.projects.totalCount, 10);
    // 20 more projects, each with a model, a version, a dataset and a run.
    await withTenant(database.db, org.orgId, async (trx) => {
      for (let i = 0; i < 20; i++) {
        const project = await trx.insertInto('projects').values({ org_id: org.orgId, name: `more-${i}` }).returning('id').executeTakeFirstOrThrow();
        const model = await trx.insertInto('models').values({ org_id: org.orgId, project_id: project.id, name: 'm' }).returning('id').executeTakeFirstOrThrow();
        const version = await trx.insertInto('model_versions').values({
          org_id: org.orgId, model_id: model.id, version: 1, filename: 'm.keras', format: 'keras-zip', blob_sha256: 'b'.repeat(64), bytes: 1, parameter_count: 1,
          signature: JSON.stringify({ inputs: [], outputs: [] }), layer_types: JSON.stringify([]),
        }).returning('id').executeTakeFirstOrThrow();
        const dataset = await trx.insertInto('datasets').values({
          org_id: org.orgId, project_id: project.id, name: 'd', filename: 'd.csv', format: 'csv', kind: 'tensor', blob_sha256: 'b'.repeat(64), bytes: 1,
          sample_count: 1, num_classes: 2, labels: JSON.stringify(['a', 'b']), splits: JSON.stringify({ train: 1 }), input_shape: JSON.stringify([1]),
        }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('compression_runs').values({
          org_id: org.orgId, project_id: project.id, model_version_id: version.id, dataset_id: dataset.id, targets: JSON.stringify(['cpu-int8']), constraints: '{}',
        }).execute();
      }
    });
    const large = await statementsFor(NESTED);
    assert.equal(large.data.projects.totalCount, 30);
    const runs = large.data.projects.edges.reduce((n: number, e: { node: { runs: { totalCount: number } } }) => n + e.node.runs.totalCount, 0);
    assert.equal(runs, 21);
    assert.equal(large.statements, small.statements, `10 projects: ${small.statements} statements, 30 projects: ${large.statements}`);
    assert.equal(large.roundTrips, small.roundTrips, `10 projects: ${small.roundTrips} round trips, 30 projects: ${large.roundTrips}`);
    // One transaction (3) + projects + models, datasets, runs, versions, candidates pages +
    // projects, models, model versions, datasets by id: a fixed cost, well under one per project;
    // one round trip per level of nesting, plus COMMIT.
    assert.ok(large.statements <= 13, `${large.statements} statements`);
    assert.ok(large.roundTrips <= 6, `${large.roundTrips} round trips`);
  });

  it('a persisted query (APQ: hash only, after one registration) answers the same with the same statements', async () => {
    const sha256Hash = createHash('sha256').update(TYPICAL_QUERY).digest('hex');
    const post = (body: unknown) =>
      fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` }, body: JSON.stringify(body) })
        .then(async (res) => (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] });
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    assert.equal(unknown.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
    const registered = await post({ query: TYPICAL_QUERY, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    assert.equal(registered.data.projects.edges.length, 10);
    await settled();
    const before = { ...database.statements };
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    await settled();
    assert.equal(database.statements.count - before.count, 5);
    assert.equal(database.statements.roundTrips - before.roundTrips, 2);
    assert.deepEqual(byHash.data, registered.data);
  });

  it('the write path: createProject is 2 round trips, startRun with an idempotency key 5, its replay 3', async () => {
    const write = writeBodies(org);
    const post = async (body: string) => {
      await settled();
      const before = { ...database.statements };
      const res = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` }, body });
      const json = (await res.json()) as { data: Record<string, { userErrors: unknown[] } & Record<string, { id: string }>> };
      await settled();
      return { json, statements: database.statements.count - before.count, roundTrips: database.statements.roundTrips - before.roundTrips };
    };
    const project = await post(write.createProject.replaceAll('$N', '1').replaceAll('$RUN', 'statements'));
    assert.deepEqual(project.json.data.createProject!.userErrors, []);
    // [BEGIN, settings, insert, audit row], [COMMIT]
    assert.deepEqual([project.statements, project.roundTrips], [5, 2]);
    const body = write.startRun.replaceAll('$N', '1').replaceAll('$RUN', 'statements');
    const run = await post(body);
    assert.deepEqual(run.json.data.startRun!.userErrors, []);
    // [BEGIN, settings, model version + project + dataset, idempotency lookup], [insert run],
    // [RUN_QUEUED event (bump + insert + notify in one statement), audit row], [idempotency record], [COMMIT]
    assert.deepEqual([run.statements, run.roundTrips], [9, 5]);
    const replay = await post(body);
    assert.equal(replay.json.data.startRun!.run!.id, run.json.data.startRun!.run!.id);
    // [BEGIN, settings, lookup, idempotency lookup (found)], [the run], [COMMIT]
    assert.deepEqual([replay.statements, replay.roundTrips], [6, 3]);
  });

  it('a run looked up by node() resolves its project, model version and dataset in the same transaction', async () => {
    const { statements, roundTrips, data } = await statementsFor(
      'query($id: ID!) { node(id: $id) { ... on CompressionRun { status project { name } modelVersion { version } dataset { name } } } }',
      { id: toGlobalId('CompressionRun', org.runId) },
    );
    assert.equal(data.node.project.name, 'project-9');
    // One transaction: the run, then project / model version / dataset (three tables, three selects).
    assert.equal(statements, 3 + 1 + 3);
    // [BEGIN, settings, the run], [the three selects, asked for in one tick], [COMMIT].
    assert.equal(roundTrips, 3);
  });
});
