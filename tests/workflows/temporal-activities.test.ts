// Our activities as Temporal runs them (through temporalActivities), in Temporal's
// MockActivityEnvironment: heartbeats carry checkpoints, a retried attempt resumes from the
// heartbeat details Temporal hands back, cancellation reaches the activity's AbortSignal, and
// failures become ApplicationFailures with the right type and retryability.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { temporalActivities } from '../../services/activities/temporal-adapter.ts';
import type { CompressCheckpoint, PlannedCandidate } from '../../workflows/types.ts';
import { createHarnessActivities } from '../runner/harness-activities.ts';

const ref = { orgId: '11111111-1111-4111-8111-111111111111', runId: '22222222-2222-4222-8222-222222222222' };
const candidate: PlannedCandidate = { key: 'c0', chain: [{ plugin: 'harness', config: {} }], target: 'cpu-int8', quantization: 'int8' };

test('heartbeats carry the checkpoint of each finished step', async () => {
  const { activities } = createHarnessActivities({ steps: 4, stepMs: 1 });
  const env = new MockActivityEnvironment();
  const beats: CompressCheckpoint[] = [];
  env.on('heartbeat', (d: CompressCheckpoint) => beats.push(d));
  const out = (await env.run(temporalActivities(activities).compressCandidate!, { ...ref, candidate } as never)) as { modelSha256: string };
  assert.deepEqual(beats.map((b) => b.completedSteps), [1, 2, 3, 4]);
  assert.equal(out.modelSha256, 'model-c0-4');
});

test('a retried attempt resumes from the heartbeat details of the last attempt', async () => {
  const { activities, log } = createHarnessActivities({ steps: 6, stepMs: 1 });
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { completedSteps: 4, modelSha256: 'model-c0-4', notes: [] } });
  const beats: CompressCheckpoint[] = [];
  env.on('heartbeat', (d: CompressCheckpoint) => beats.push(d));
  await env.run(temporalActivities(activities).compressCandidate!, { ...ref, candidate } as never);
  assert.equal(log[0]!.resumedFrom, 4);
  assert.equal(log[0]!.attempt, 2);
  assert.deepEqual(beats.map((b) => b.completedSteps), [5, 6]);
});

test('cancellation reaches the activity through its AbortSignal and is reported as a cancellation', async () => {
  const { activities, log } = createHarnessActivities({ steps: 10_000, stepMs: 2 });
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => {
    beats += 1;
    if (beats === 3) env.cancel('CANCELLED');
  });
  const started = Date.now();
  await assert.rejects(env.run(temporalActivities(activities).compressCandidate!, { ...ref, candidate } as never), (err: unknown) => err instanceof CancelledFailure);
  assert.ok(Date.now() - started < 2000);
  assert.ok(log.some((e) => e.event === 'aborted'));
});

test('a plugin failure becomes a non-retryable ApplicationFailure; a transient error stays retryable', async () => {
  const failing = createHarnessActivities({ failingCandidates: ['c0'] });
  await assert.rejects(
    new MockActivityEnvironment().run(temporalActivities(failing.activities).compressCandidate!, { ...ref, candidate } as never),
    (err: unknown) => err instanceof ApplicationFailure && err.type === 'PluginFailure' && err.nonRetryable === true,
  );
  const flaky = createHarnessActivities({ steps: 2, stepMs: 1, flakyCandidates: { c0: 1 } });
  await assert.rejects(
    new MockActivityEnvironment().run(temporalActivities(flaky.activities).compressCandidate!, { ...ref, candidate } as never),
    (err: unknown) => err instanceof ApplicationFailure && err.type === 'Error' && err.nonRetryable === false && /transient/.test(err.message),
  );
});
