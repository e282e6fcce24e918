// The embedded runner killed with SIGKILL while two plan steps train in parallel, and restarted:
// it resumes from the journal and ends with the same candidates as an uninterrupted run, without
// re-running finished work.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { wrapPglite } from '../../services/db/database.ts';
import { migrateToLatest } from '../../services/db/migrate.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'condense-kill-'));
const modelFile = join(work, 'tiny.zip');
const dataFile = join(work, 'tiny.npz');
const databases: string[] = [];

interface Line { event: string; run?: string; name?: string; key?: string | null; attempt?: number; result?: { status: string }; candidates?: Record<string, unknown>[]; claims?: number }

/** A database for the scenario: a migrated PGlite data dir under `dataDir`, or a fresh database on DATABASE_URL's server. */
async function prepareDatabase(dataDir: string): Promise<Record<string, string>> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    mkdirSync(dataDir, { recursive: true });
    const wrapped = wrapPglite(await PGlite.create(join(dataDir, 'pgdata')));
    await migrateToLatest(wrapped.db);
    await wrapped.close();
    return {};
  }
  const name = `condense_kill_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  databases.push(name);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return { DATABASE_URL: target.toString() };
}

function child(dataDir: string, mode: 'start' | 'resume', env: Record<string, string>, killWhen?: (lines: Line[]) => boolean): Promise<{ lines: Line[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/runner/kill-child.ts'), dataDir, modelFile, dataFile, mode], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    let killed = false;
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!text.startsWith('{')) continue;
        lines.push(JSON.parse(text) as Line);
        if (!killed && killWhen?.(lines)) {
          killed = true;
          proc.kill('SIGKILL');
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (killed && signal === 'SIGKILL') return resolve({ lines, killed });
      if (code !== 0) return reject(new Error(`child ${mode} exited with ${code ?? signal}:\n${stderr.slice(-3000)}`));
      resolve({ lines, killed });
    });
  });
}

before(async () => {
  writeFileSync(modelFile, await tinyModelZip());
  writeFileSync(dataFile, tinyDatasetNpz());
});
after(async () => {
  rmSync(work, { recursive: true, force: true });
  const url = process.env.DATABASE_URL;
  if (url && databases.length) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

const activities = (lines: Line[]) => lines.filter((l) => l.event === 'activity');
const stepsInFlight = (lines: Line[]) => {
  const started = lines.filter((l) => l.event === 'activity' && l.name === 'runStep').map((l) => l.key);
  const ended = new Set(lines.filter((l) => l.event === 'activity-done' && l.name === 'runStep').map((l) => l.key));
  return started.filter((k) => !ended.has(k));
};

test('a run killed with SIGKILL while two steps train in parallel resumes on restart and ends with the same candidates as an uninterrupted run', async () => {
  // The reference: the same inputs run uninterrupted, in a database of their own (steps are
  // content-addressed per database, so a shared one would hand run B run A's finished steps).
  const referenceDir = join(work, 'reference');
  const reference = (await child(referenceDir, 'start', await prepareDatabase(referenceDir))).lines.find((l) => l.event === 'done')!;
  assert.equal(reference.result!.status, 'succeeded');
  assert.ok(reference.candidates!.length >= 3, JSON.stringify(reference.candidates));

  const dir = join(work, 'killed');
  const env = await prepareDatabase(dir);
  let inFlight: (string | null | undefined)[] = [];
  const first = await child(dir, 'start', env, (lines) => {
    inFlight = stepsInFlight(lines);
    return inFlight.length === 2;
  });
  assert.ok(first.killed, 'the child finished before two steps ran at once');
  assert.deepEqual(inFlight.sort(), ['s1', 's2'], 'killed while the pruning and the clustering step both trained');

  const second = await child(dir, 'resume', env);
  const done = second.lines.find((l) => l.event === 'done')!;
  assert.equal(done.result!.status, 'succeeded');
  assert.equal(done.claims, 2, 'the run was claimed once per process');
  const rerun = activities(second.lines);
  // Finished work is replayed from the journal, not re-run.
  assert.ok(!rerun.some((l) => ['validateInputs', 'evaluateBaseline', 'planCandidates'].includes(l.name!)), JSON.stringify(rerun));
  // Both interrupted steps are attempted again (attempt 2) and trained once each.
  const steps = rerun.filter((l) => l.name === 'runStep');
  assert.deepEqual(steps.map((l) => [l.key, l.attempt]).sort(), [['s1', 2], ['s2', 2]]);
  const sources = second.lines.filter((l) => l.event === 'activity-done' && l.name === 'runStep').map((l) => (l as { source?: string }).source);
  assert.deepEqual(sources, ['ran', 'ran'], `resumed steps: ${JSON.stringify(second.lines.filter((l) => l.name === 'runStep'))}; candidates: ${JSON.stringify(done.candidates)}`);

  const strip = (c: Record<string, unknown>) => ({ key: c.key, status: c.status, quantization: c.quantization, bytes: Number(c.bytes), pareto: c.pareto });
  assert.deepEqual(done.candidates!.map(strip), reference.candidates!.map(strip));
  done.candidates!.forEach((c, i) => {
    assert.ok(Math.abs((c.accuracy as number) - (reference.candidates![i]!.accuracy as number)) < 0.02, `accuracy of ${String(c.key)} differs`);
  });
});
