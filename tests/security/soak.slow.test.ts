// The soak in its short configuration (issue #12 item 5): bench/soak.ts with 4 runs and 3 kills on
// a throwaway PostgreSQL 15 (skipped when the server binaries are missing). Its last line must
// report no lost event, no duplicate candidate and no stuck run, after at least one kill.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('two API processes and two runners survive SIGKILLs: every run ends once, no event lost, no candidate twice', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/soak.ts'], {
    cwd: ROOT,
    env: { ...process.env, SOAK_RUNS: '4', SOAK_KILLS: '3', SOAK_KILL_EVERY_MS: '2500', SOAK_TIMEOUT_MS: '600000' },
    timeout: 700_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`soak failed: ${error.message}\n${error.stdout ?? ''}\n${(error.stderr ?? '').slice(-3000)}`);
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
  if ('skipped' in result) return;
  assert.equal(result.runs, 4);
  assert.equal(result.succeeded, 4, JSON.stringify(result));
  assert.ok(Number(result.kills) >= 1, `no process was killed: ${JSON.stringify(result)}`);
  assert.equal(result.lost_events, 0);
  assert.equal(result.duplicate_candidates, 0);
  assert.equal(result.runs_ended_twice, 0);
  assert.equal(result.stuck_runs, 0);
});
