// patched() in the embedded runner's journal behaves like Temporal's: true (and recorded) on new
// code paths, false when replaying a run recorded before the patch, true again on replay after.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type Database } from '../helpers/database.ts';
import { JournalHost } from '../../services/runs/journal-host.ts';
import { RunJournal } from '../../services/runs/journal.ts';
import { createHarnessActivities } from './harness-activities.ts';

const ORG = '11111111-1111-4111-8111-111111111111';
let database: Database;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.close();
});

async function leasedRun(journal: RunJournal): Promise<string> {
  const runId = randomUUID();
  await journal.enqueue(runId, 'compressionRun', { orgId: ORG, runId });
  await sql`update runner_runs set state = 'running', lease_owner = ${journal.owner} where run_id = ${runId}`.execute(database.db);
  return runId;
}

const host = async (journal: RunJournal, runId: string) =>
  new JournalHost(runId, journal, await journal.entries(runId), createHarnessActivities().activities, false, { heartbeatFlushMs: 0, retryIntervalScale: 0 }).host;

test('patched() is recorded on a fresh path and replays as true', async () => {
  const journal = new RunJournal(database.db, 'owner-a', 60_000);
  const runId = await leasedRun(journal);
  const first = await host(journal, runId);
  assert.equal(first.patched('extra-step'), true);
  await first.call('validateInputs', { orgId: ORG, runId }, { hardware: 'cpu' });
  assert.deepEqual((await journal.entries(runId)).map((e) => [e.kind, e.name]), [['patch', 'extra-step'], ['activity', 'validateInputs']]);
  const replay = await host(journal, runId);
  assert.equal(replay.patched('extra-step'), true);
  await replay.call('validateInputs', { orgId: ORG, runId }, { hardware: 'cpu' });
});

test('patched() is false when replaying a run recorded before the patch', async () => {
  const journal = new RunJournal(database.db, 'owner-b', 60_000);
  const runId = await leasedRun(journal);
  const old = await host(journal, runId);
  await old.call('validateInputs', { orgId: ORG, runId }, { hardware: 'cpu' });
  const upgraded = await host(journal, runId);
  assert.equal(upgraded.patched('extra-step'), false);
  // The old path replays from the journal without running anything.
  await upgraded.call('validateInputs', { orgId: ORG, runId }, { hardware: 'cpu' });
  assert.equal((await journal.entries(runId)).length, 1);
});
