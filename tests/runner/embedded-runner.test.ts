// The embedded runner's durability: journal replay, leases, retries with heartbeat checkpoints,
// cancellation, failing candidates and nondeterminism detection, on a real (PGlite or PG) database.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type Database } from '../helpers/database.ts';
import { EmbeddedRunner, type EmbeddedRunnerOptions } from '../../services/runs/embedded-runner.ts';
import type { PlannedCandidate } from '../../workflows/types.ts';
import { JournalHost } from '../../services/runs/journal-host.ts';
import { runCompression } from '../../workflows/orchestration.ts';
import { createHarnessActivities, type HarnessOptions } from './harness-activities.ts';

const ORG = '11111111-1111-4111-8111-111111111111';
let database: Database;
/** Every runner the tests create, stopped at the end even when a test failed half-way. */
const runners: EmbeddedRunner[] = [];

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await database.close();
});

function runner(harness: ReturnType<typeof createHarnessActivities>, extra: Partial<EmbeddedRunnerOptions> = {}) {
  const created = new EmbeddedRunner({
    db: database.db,
    activities: harness.activities,
    leaseMs: 600,
    pollMs: 20,
    heartbeatFlushMs: 0,
    retryIntervalScale: 0.001,
    ...extra,
  });
  runners.push(created);
  return created;
}

async function runToEnd(options: HarnessOptions = {}, extra: Partial<EmbeddedRunnerOptions> = {}) {
  const harness = createHarnessActivities(options);
  const r = runner(harness, extra);
  const runId = randomUUID();
  r.run();
  try {
    await r.start(ORG, runId);
    const result = await r.waitFor(runId, 60_000);
    return { harness, r, runId, result };
  } finally {
    await r.stop();
  }
}

const starts = (log: { activity: string; event: string }[], activity: string) => log.filter((e) => e.activity === activity && e.event === 'start').length;

test('a run executes every activity once and records its result', async () => {
  const { harness, result, runId, r } = await runToEnd({ candidates: 2 });
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.candidates.map((c) => c.candidateId), ['c0:ok', 'c1:ok']);
  assert.equal(starts(harness.log, 'runStep'), 2);
  assert.equal(starts(harness.log, 'finishRun:succeeded'), 1);
  const entries = await r.journal.entries(runId);
  // validate, baseline, plan, the step-graph and critical-path patches, 2 × (step, export, evaluate, store), finish
  assert.equal(entries.length, 3 + 2 + 2 * 4 + 1);
  assert.deepEqual(entries.filter((e) => e.kind === 'patch').map((e) => e.name), ['parallel-steps', 'critical-path']);
  assert.ok(entries.every((e) => e.status === 'completed'));
  assert.equal(r.status(runId)?.phase, 'done');
});

test('re-executing a finished run replays the journal without running any activity', async () => {
  const { result, runId, r } = await runToEnd({ candidates: 2 });
  const fresh = createHarnessActivities({ candidates: 2 });
  // Take the lease as the original runner would after a restart, then replay.
  await sql`update runner_runs set state = 'running', lease_owner = ${r.ownerId} where run_id = ${runId}`.execute(database.db);
  const host = new JournalHost(runId, r.journal, await r.journal.entries(runId), fresh.activities, false, { heartbeatFlushMs: 0, retryIntervalScale: 0 });
  const replayed = await runCompression(host.host, { orgId: ORG, runId });
  assert.deepEqual(replayed, result);
  assert.equal(fresh.log.length, 0, 'no activity may run again on replay');
});

test('a failing candidate is stored as failed and the others still run', async () => {
  const { harness, result } = await runToEnd({ candidates: 3, failingCandidates: ['c1'] });
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.candidates.map((c) => [c.key, c.ok]), [['c0', true], ['c1', false], ['c2', true]]);
  assert.equal(result.candidates[1]!.candidateId, 'c1:PluginFailure');
  // Non-retryable: exactly one attempt.
  assert.equal(harness.log.filter((e) => e.activity === 'runStep' && e.key === 'c1').length, 1);
});

test('every candidate failing fails the run', async () => {
  const { result } = await runToEnd({ candidates: 2, failingCandidates: ['c0', 'c1'] });
  assert.equal(result.status, 'failed');
  assert.equal(result.message, 'every candidate failed');
});

test('a retried activity resumes from its last heartbeat checkpoint', async () => {
  const { harness, result, runId, r } = await runToEnd({ candidates: 1, steps: 6, flakyCandidates: { c0: 2 } });
  assert.equal(result.status, 'succeeded');
  const attempts = harness.log.filter((e) => e.activity === 'runStep' && e.event === 'start');
  assert.deepEqual(attempts.map((a) => [a.attempt, a.resumedFrom]), [[1, 0], [2, 3], [3, 4]]);
  const compress = (await r.journal.entries(runId)).find((e) => e.name === 'runStep')!;
  assert.equal(compress.attempt, 3);
});

test('cancelling reaches the running activity through its AbortSignal and finishes the run as cancelled', async () => {
  const harness = createHarnessActivities({ candidates: 2, steps: 1000, stepMs: 5 });
  const r = runner(harness);
  const runId = randomUUID();
  r.run();
  await r.start(ORG, runId);
  while (!harness.log.some((e) => e.activity === 'runStep')) await new Promise((res) => setTimeout(res, 10));
  const asked = Date.now();
  await r.cancel(ORG, runId);
  const result = await r.waitFor(runId, 10_000);
  await r.stop();
  assert.equal(result.status, 'cancelled');
  const aborted = harness.log.find((e) => e.event === 'aborted');
  assert.ok(aborted, 'the training activity saw its signal abort');
  assert.ok(Date.now() - asked < 3000, 'cancellation took too long');
  assert.equal(starts(harness.log, 'finishRun:cancelled'), 1);
  assert.equal(starts(harness.log, 'storeCandidate'), 0);
});

test('two runners on one database never execute a run twice', async () => {
  const harness = createHarnessActivities({ candidates: 2, steps: 4, stepMs: 10 });
  const a = runner(harness);
  const b = runner(harness);
  const runIds = [randomUUID(), randomUUID(), randomUUID()];
  a.run();
  b.run();
  for (const id of runIds) await a.start(ORG, id);
  const results = await Promise.all(runIds.map((id) => a.waitFor(id, 30_000)));
  await Promise.all([a.stop(), b.stop()]);
  assert.ok(results.every((res) => res.status === 'succeeded'));
  assert.equal(starts(harness.log, 'validateInputs'), runIds.length);
  assert.equal(starts(harness.log, 'runStep'), runIds.length * 2);
  assert.equal(starts(harness.log, 'finishRun:succeeded'), runIds.length);
});

test('a runner that stops mid-run leaves it to another, which resumes from the checkpoint', async () => {
  const harness = createHarnessActivities({ candidates: 2, steps: 40, stepMs: 10 });
  const first = runner(harness);
  const runId = randomUUID();
  first.run();
  await first.start(ORG, runId);
  // Stop while c0 trains, after a few checkpoints.
  while (!harness.log.some((e) => e.activity === 'runStep')) await new Promise((res) => setTimeout(res, 5));
  await new Promise((res) => setTimeout(res, 150));
  await first.stop();
  const second = runner(harness);
  second.run();
  const result = await second.waitFor(runId, 30_000);
  await second.stop();
  assert.equal(result.status, 'succeeded');
  const c0 = harness.log.filter((e) => e.activity === 'runStep' && e.key === 'c0' && e.event === 'start');
  assert.equal(c0.length, 2);
  assert.ok((c0[1]!.resumedFrom ?? 0) > 0, `second attempt should resume from a checkpoint, got ${c0[1]!.resumedFrom}`);
  assert.equal(starts(harness.log, 'validateInputs'), 1, 'finished activities are not re-run');
  assert.equal(starts(harness.log, 'planCandidates'), 1);
});

test('an orchestration that changed under a recorded run fails it with a nondeterminism error', async () => {
  const harness = createHarnessActivities({ candidates: 1 });
  const r = runner(harness);
  const runId = randomUUID();
  await r.journal.enqueue(runId, 'compressionRun', { orgId: ORG, runId });
  await sql`insert into runner_journal (run_id, seq, kind, name, status, attempt, result)
            values (${runId}, 1, 'activity', 'evaluateBaseline', 'completed', 1, '{}'::jsonb)`.execute(database.db);
  r.run();
  const result = await r.waitFor(runId, 10_000);
  await r.stop();
  assert.equal(result.status, 'failed');
  assert.match(result.message ?? '', /recorded activity evaluateBaseline but the orchestration now calls activity validateInputs/);
  assert.equal(harness.log.length, 0);
});

/** Most runStep activities in flight at once, from the harness log. */
function peakSteps(log: { activity: string; event: string }[]): number {
  let now = 0;
  let peak = 0;
  for (const e of log.filter((l) => l.activity === 'runStep')) {
    now += e.event === 'start' ? 1 : -1;
    peak = Math.max(peak, now);
  }
  return peak;
}

test('ready steps start longest remaining chain first (critical path), not in plan order', async () => {
  // Plan order: a quantization check, a pruning step, then prune → distill (the longest chain).
  const link = (config: Record<string, unknown>) => ({ plugin: 'harness', config });
  const plan: PlannedCandidate[] = [
    { key: 'quantize', chain: [link({ modes: ['int8'] })], target: 'cpu-int8', quantization: 'int8' },
    { key: 'prune', chain: [link({ targetSparsity: 0.5, epochs: 1 })], target: 'cpu-int8', quantization: 'int8' },
    { key: 'prune-distill', chain: [link({ targetSparsity: 0.6, epochs: 1 }), link({ students: ['self'], budgetSeconds: 20 })], target: 'cpu-int8', quantization: 'int8' },
  ];
  // The quantization check trains longest (5 × 200 ms), so the pruning candidate's export — one
  // journal write after its 5 ms step — starts inside it on PGlite and PostgreSQL alike.
  const { harness, result } = await runToEnd({ plan, stepMs: 1, stepMsByKey: { quantize: 200 } }, { workers: 1 });
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.candidates.map((c) => c.key), ['quantize', 'prune', 'prune-distill'], 'candidates come back in plan order');
  const order = harness.log.filter((e) => e.activity === 'runStep' && e.event === 'start').map((e) => e.key);
  // prune (10) → distill (20) → store (1) first; then pruning (10 + 1); the quantization check (2 + 1) last.
  assert.deepEqual(order, ['prune-distill', 'prune-distill', 'prune', 'quantize']);
  // Candidates are measured on the runner's own thread beside the one training step (maxMeasuring 1):
  // the pruning candidate is exported while the quantization step still trains.
  const at = (activity: string, key: string, event: string) => harness.log.findIndex((e) => e.activity === activity && e.key === key && e.event === event);
  assert.ok(at('exportCandidate', 'prune', 'start') < at('runStep', 'quantize', 'end'), 'a candidate waited for every step');
});

test('ready steps run at once, up to the runner\'s workers; re-executing finds every named call whatever order they start in', async () => {
  for (const workers of [1, 2, 3]) {
    const { harness, r, runId, result } = await runToEnd({ candidates: 3, steps: 5, stepMs: 30 }, { workers });
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.candidates.map((c) => c.key), ['c0', 'c1', 'c2'], 'candidates come back in plan order');
    assert.equal(peakSteps(harness.log), workers, `with ${workers} worker(s)`);
    const entries = await r.journal.entries(runId);
    assert.equal(new Set(entries.map((e) => e.seq)).size, entries.length, 'concurrent calls never share a journal entry');
    assert.ok(entries.filter((e) => e.kind === 'activity' && !['validateInputs', 'evaluateBaseline', 'planCandidates'].includes(e.name)).every((e) => e.callId));

    // Replay: the journal answers every call — none runs again — although the replay's calls
    // start in plan order while the recorded ones completed in whatever order they did.
    const fresh = createHarnessActivities({ candidates: 3 });
    await sql`update runner_runs set state = 'running', lease_owner = ${r.ownerId} where run_id = ${runId}`.execute(database.db);
    const host = new JournalHost(runId, r.journal, entries.reverse(), fresh.activities, false, { heartbeatFlushMs: 0, retryIntervalScale: 0 });
    assert.deepEqual(await runCompression(host.host, { orgId: ORG, runId, maxParallel: 3 }), result);
    assert.equal(fresh.log.length, 0);
  }
});
