// The run's time budget through the API: startRun stores budgetSeconds, the run shows it (or the
// default), a retry keeps it, the runner's view of the run carries it to the planner, and a budget
// out of range is a user error on the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyOf } from '../../services/api/ids.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { DEFAULT_BUDGET_SECONDS } from '../../services/planner/budget.ts';
import { getRunForExecution } from '../../services/runs-store/index.ts';
import { ok, seedProject, startHarness, type Harness } from './harness.ts';

const START = `mutation($input: StartRunInput!) { startRun(input: $input) { run { id budgetSeconds budgetIsDefault } userErrors { code field message } } }`;

describe('run budget', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedProject>>;
  before(async () => {
    h = await startHarness();
    seeded = await seedProject(h, h.a);
  });
  after(async () => h?.close());
  const input = (over: Record<string, unknown> = {}) => ({ input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'], ...over } });

  it('stores the budget the run sets and hands it to the runner; shows the default otherwise', async () => {
    const set = (await ok(h.server, h.a.ownerKey, START, input({ budgetSeconds: 600 }))).startRun;
    assert.deepEqual(set.userErrors, []);
    assert.equal(set.run.budgetSeconds, 600);
    assert.equal(set.run.budgetIsDefault, false);
    const runId = keyOf(set.run.id, 'CompressionRun')!;
    const forRunner = await withTenant(h.database.db, h.a.orgId, (trx) => getRunForExecution(trx, runId));
    assert.equal(forRunner?.budgetSeconds, 600);

    const unset = (await ok(h.server, h.a.ownerKey, START, input())).startRun;
    assert.equal(unset.run.budgetSeconds, DEFAULT_BUDGET_SECONDS);
    assert.equal(unset.run.budgetIsDefault, true);
    const unsetId = keyOf(unset.run.id, 'CompressionRun')!;
    assert.equal((await withTenant(h.database.db, h.a.orgId, (trx) => getRunForExecution(trx, unsetId)))?.budgetSeconds, null);
  });

  it('refuses a budget out of range as a user error on budgetSeconds', async () => {
    for (const budgetSeconds of [1, -5, 10 * 24 * 3600]) {
      const refused = (await ok(h.server, h.a.ownerKey, START, input({ budgetSeconds }))).startRun;
      assert.equal(refused.run, null);
      assert.equal(refused.userErrors[0].code, 'INVALID_INPUT');
      assert.deepEqual(refused.userErrors[0].field, ['input', 'budgetSeconds']);
      assert.match(refused.userErrors[0].message, /budget must be between 5 s and 7 days/);
    }
  });
});
