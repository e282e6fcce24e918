// Replays the committed histories (tests/fixtures/histories, generated from
// tests/workflows/history-scenarios.ts) against the real workflow code with Temporal's
// Worker.runReplayHistory, and proves the check bites: deliberately changed workflows fail.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const historiesDir = join(root, 'tests/fixtures/histories');
const history = (name: string) => join(historiesDir, `${name}.json`);

interface ReplayResult { history: string; workflowType: string; ok: boolean; error?: string }

/** Replays in a child process killed with SIGKILL after 90 s (Temporal's core can hang on bad input). */
function replay(workflowsPath: string, specs: string[]): ReplayResult[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'tests/workflows/replay-child.ts'), workflowsPath, ...specs], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
  });
  assert.equal(child.signal, null, `replay child was killed (${child.signal}); stderr:\n${child.stderr}`);
  assert.equal(child.status, 0, `replay child failed:\n${child.stderr}`);
  const lastLine = child.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(lastLine) as ReplayResult[];
}

test('every committed history replays against the current workflow', () => {
  const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
  assert.deepEqual(files.sort(), ['cancelled.json', 'critical-path.json', 'failing-candidate.json', 'happy-path.json', 'parallel-steps.json', 'retried-activity.json']);
  const results = replay(join(root, 'workflows/index.ts'), files.map((f) => join(historiesDir, f)));
  for (const r of results) assert.ok(r.ok, `${r.history} failed to replay: ${r.error}`);
  assert.equal(results.length, files.length);
});

test('changing the orchestration without patched() fails replay; with patched() it replays', () => {
  const mutated = join(root, 'tests/workflows/mutated-workflows.ts');
  const cases: [string, string, boolean][] = [
    ['happy-path', 'compressionRunReordered', false],
    ['happy-path', 'compressionRunRenamed', false],
    ['happy-path', 'compressionRunExtraActivity', false],
    ['happy-path', 'compressionRunNoFinish', false],
    ['failing-candidate', 'compressionRunRenamed', false],
    ['cancelled', 'compressionRunNoFinish', false],
    ['retried-activity', 'compressionRunReordered', false],
    ['happy-path', 'compressionRunPatchedExtra', true],
    // The parallel history: running one activity at a time, or starting ready work in another
    // order, schedules differently and must not replay.
    ['parallel-steps', 'compressionRunOneAtATime', false],
    ['parallel-steps', 'compressionRunRenamed', false],
    ['parallel-steps', 'compressionRunPatchedExtra', true],
    // Critical-path starts: plan order schedules other steps first.
    ['critical-path', 'compressionRunListOrder', false],
    ['critical-path', 'compressionRunOneAtATime', false],
    ['critical-path', 'compressionRunPatchedExtra', true],
    ['cancelled', 'compressionRunPatchedExtra', true],
  ];
  const results = replay(mutated, cases.map(([h, wf]) => `${history(h)}=${wf}`));
  assert.equal(results.length, cases.length);
  cases.forEach(([h, wf, shouldReplay], i) => {
    const r = results[i]!;
    if (shouldReplay) assert.ok(r.ok, `${wf} on ${h} should replay: ${r.error}`);
    else {
      assert.equal(r.ok, false, `${wf} on ${h} replayed although the orchestration changed`);
      assert.match(r.error ?? '', /DeterminismViolationError|[Nn]ondeterminism/);
    }
  });
});

test('committed histories are exactly what the generator produces from the scenarios', async () => {
  const { buildHistory } = await import('./history-builder.ts');
  const { scenarios } = await import('./history-scenarios.ts');
  const { readFileSync } = await import('node:fs');
  for (const s of scenarios) {
    assert.deepEqual(JSON.parse(readFileSync(history(s.name), 'utf8')), buildHistory(s), `${s.name}.json differs from its scenario`);
  }
});
