// Two API servers on one database (on PostgreSQL each LISTENs on its own connection, as separate
// processes would): subscribers on both receive every event of a run, in order, whoever wrote it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { finishRun } from '../../services/runs-store/index.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { keyOf } from '../../services/api/ids.ts';
import { START_RUN, collect, ok, seedProject, startHarness, wsClient, type Harness } from './harness.ts';

describe('fan-out across API servers', () => {
  let h: Harness;
  let second: ApiServer;
  before(async () => {
    h = await startHarness();
    const config = loadConfig({ CONDENSE_DATA_DIR: h.dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test' });
    second = await createServer({ database: h.database, config, port: 0, host: '127.0.0.1', log: () => undefined, rateLimit: false });
  });
  after(async () => {
    await second?.close();
    await h?.close();
  });

  it('delivers every event to subscribers of both servers', async () => {
    const seeded = await seedProject(h, h.a);
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    const runId = keyOf(run.id, 'CompressionRun')!;
    const q = 'subscription($runId: ID!) { runEvents(runId: $runId) { sequence } }';
    const subs = [h.server, second, h.server, second].map((server) => collect(wsClient(server, h.a.ownerKey), q, { runId: run.id }));
    for (let i = 0; i < 30; i++) {
      await withTenant(h.database.db, h.a.orgId, (trx) => appendRunEvent(trx, { orgId: h.a.orgId, runId, type: 'CANDIDATE_PROGRESS', payload: { step: i } }));
    }
    await withTenant(h.database.db, h.a.orgId, (trx) => finishRun(trx, { orgId: h.a.orgId, runId, status: 'failed', message: 'bench over' }));
    const expected = Array.from({ length: 32 }, (_, i) => i + 1);
    for (const sub of subs) assert.deepEqual((await sub.done).map((r) => r.data.runEvents.sequence), expected);
  });
});
