// runBounded's start order: ready tasks by priority (ties in list order), never more than the
// limit, never before their dependencies; and the critical-path priorities the orchestration gives.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { criticalPathPriorities, runBounded, type BoundedTask } from '../../workflows/bounded.ts';
import { stepCost } from '../../workflows/orchestration.ts';

function recorder() {
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const task = (id: string, after: string[] = [], priority?: number): BoundedTask => ({
    id, after, ...(priority === undefined ? {} : { priority }),
    run: async () => {
      started.push(id);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
    },
  });
  return { started, task, peak: () => peak };
}

test('without priorities ready tasks start in list order', async () => {
  const r = recorder();
  await runBounded([r.task('a'), r.task('b'), r.task('c', ['a'])], 1);
  assert.deepEqual(r.started, ['a', 'b', 'c']);
});

test('ready tasks start highest priority first, ties in list order, within the limit and after their dependencies', async () => {
  const r = recorder();
  await runBounded([r.task('a', [], 1), r.task('b', [], 5), r.task('c', [], 5), r.task('d', ['a'], 9), r.task('e', [], 2)], 2);
  // b and c (5) first; then e (2) before a (1); d (9) only once a finished.
  assert.deepEqual(r.started, ['b', 'c', 'e', 'a', 'd']);
  assert.equal(r.peak(), 2);
});

test('critical-path priority: own cost plus the longest chain that waits for it', () => {
  const p = criticalPathPriorities([
    { id: 'q', after: [], cost: 2 },
    { id: 'p', after: [], cost: 10 },
    { id: 'd', after: ['p'], cost: 20 },
    { id: 'x', after: ['d'], cost: 1 },
    { id: 'y', after: ['p'], cost: 1 },
  ]);
  assert.deepEqual(Object.fromEntries(p), { q: 2, p: 31, d: 21, x: 1, y: 1 });
  assert.throws(() => criticalPathPriorities([{ id: 'a', after: ['b'], cost: 1 }, { id: 'b', after: ['a'], cost: 1 }]), /cycle/);
});

test('a step\'s cost comes from its config: budget seconds, else epochs, else a small constant', () => {
  assert.equal(stepCost({ budgetSeconds: 13.5, epochs: 3 }), 13.5);
  assert.equal(stepCost({ mode: 'structured', epochs: 2 }), 20);
  assert.equal(stepCost({ modes: ['int8'], qatEpochs: 1 }), 2);
});

test('a task in a lane counts against the lane\'s limit, not the shared one', async () => {
  const r = recorder();
  const measure = (id: string, after: string[] = []): BoundedTask => ({ ...r.task(id, after), lane: 'measure' });
  const tasks = [r.task('s1'), r.task('s2'), measure('m1'), measure('m2'), r.task('s3')];
  let peakMeasure = 0;
  await runBounded(tasks, 2, (running) => {
    peakMeasure = Math.max(peakMeasure, running.filter((id) => id.startsWith('m')).length);
  }, { measure: 1 });
  // Two steps and one measurement at once; the second measurement waits for the first, s3 for a step.
  assert.deepEqual(r.started.slice(0, 3), ['s1', 's2', 'm1']);
  assert.equal(r.peak(), 3);
  assert.equal(peakMeasure, 1);
  assert.deepEqual([...r.started].sort(), ['m1', 'm2', 's1', 's2', 's3']);
});
