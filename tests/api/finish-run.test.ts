// finishRun, the activity that closes a run: the Pareto front it marks comes from the candidates
// usable as asked, per target, and a best-effort front leaves out models no better than guessing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { finishRun } from '../../services/activities/record.ts';
import type { ActivityDeps } from '../../services/activities/deps.ts';
import { keyOf } from '../../services/api/ids.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { insertCandidate, markRunStarted, type CandidateRecord } from '../../services/runs-store/index.ts';
import { START_RUN, ok, seedProject, startHarness, type Harness } from './harness.ts';

describe('finishRun', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedProject>>;
  before(async () => {
    h = await startHarness();
    seeded = await seedProject(h, h.a);
  });
  after(async () => h?.close());

  async function runWith(candidates: Array<Pick<CandidateRecord, 'key' | 'accuracy' | 'bytes' | 'fits' | 'fitFailures'> & { target?: string }>): Promise<{ front: string[]; keys: Map<string, string> }> {
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    const ref = { orgId: h.a.orgId, runId: keyOf(run.id, 'CompressionRun')! };
    const keys = new Map<string, string>();
    await withTenant(h.database.db, ref.orgId, async (trx) => {
      await markRunStarted(trx, ref);
      for (const c of candidates) {
        const id = await insertCandidate(trx, ref, { target: 'cpu-int8', chain: [], ok: true, estimatedLatencyMs: 1, ...c });
        keys.set(id, c.key);
      }
    });
    // finishRun reads and writes only the database.
    const deps = { db: h.database.db } as Pick<ActivityDeps, 'db'> as ActivityDeps;
    const ctx = { signal: new AbortController().signal, heartbeat: () => undefined, heartbeatDetails: undefined, attempt: 1 };
    const { paretoCandidateIds } = await finishRun(deps, ctx, { ...ref, status: 'succeeded' });
    return { front: paretoCandidateIds.map((id) => keys.get(id)!).sort(), keys };
  }

  const guess = { rule: 'no-better-than-chance', message: 'accuracy 10.2% is no better than guessing (10.0%)' };
  const tooBig = { rule: 'max-bytes', message: 'over the limit' };

  it('marks the front over the candidates that fit', async () => {
    const { front } = await runWith([
      { key: 'a', accuracy: 0.9, bytes: 1000, fits: true },
      { key: 'b', accuracy: 0.8, bytes: 500, fits: true },
      { key: 'c', accuracy: 0.95, bytes: 100, fits: false, fitFailures: [tooBig] },
    ]);
    assert.deepEqual(front, ['a', 'b']);
  });

  it('with nothing usable, the best effort leaves out a model no better than guessing', async () => {
    const { front } = await runWith([
      { key: 'big', accuracy: 0.9, bytes: 1000, fits: false, fitFailures: [tooBig] },
      { key: 'guess', accuracy: 0.102, bytes: 10, fits: false, fitFailures: [guess] },
    ]);
    assert.deepEqual(front, ['big'], 'the smallest candidate learned nothing and stays off');
  });

  it('takes the front per target: a candidate competes only with those of its own target', async () => {
    const { front } = await runWith([
      { key: 'cpu', accuracy: 0.8, bytes: 1000, fits: true },
      { key: 'cpu-worse', accuracy: 0.7, bytes: 2000, fits: true },
      { key: 'mcu', target: 'mcu-int8', accuracy: 0.9, bytes: 100, fits: true },
    ]);
    assert.deepEqual(front, ['cpu', 'mcu'], 'the mcu candidate dominates the cpu one but is not its rival');
  });

  it('returns the guessers when they are all there is', async () => {
    const { front } = await runWith([{ key: 'guess', accuracy: 0.102, bytes: 10, fits: false, fitFailures: [guess] }]);
    assert.deepEqual(front, ['guess']);
  });
});
