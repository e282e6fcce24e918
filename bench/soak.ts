// A bounded reliability run (issue #12 item 5): two `condense serve` processes (each an API and an
// embedded runner) on one PostgreSQL 15 (DATABASE_URL, or a throwaway server like .ci/run's), and
// SOAK_RUNS runs on tiny data started through the API. While they run, a random process is killed
// with SIGKILL every SOAK_KILL_EVERY_MS and restarted on its port, SOAK_KILLS times; one
// graphql-ws subscriber per run follows its events, reconnecting (to whichever process is up)
// with its last cursor after every disconnect. At the end, from the database and the subscribers:
//   - every run ended exactly once (one terminal event) and none is stuck;
//   - no candidate was recorded twice (run, key);
//   - every subscriber saw its run's timeline 1..N exactly once, in order (lost_events counts
//     missing, repeated and out-of-order events).
// The LAST line printed is one JSON object. `SOAK_RUNS=4 SOAK_KILLS=3 npm run soak` is the short
// configuration CI runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createHash } from 'node:crypto';
import { loadConfig } from '../services/config.ts';
import { openDatabase } from '../services/db/database.ts';
import { withTenant } from '../services/db/tenant.ts';
import { bootstrapOrganization } from '../services/tenancy/index.ts';
import { tinyDatasetNpz, tinyModelZip } from '../tests/runner/tiny-fixtures.ts';
import { startThrowawayPostgres } from './lib/throwaway-postgres.ts';

const RUNS = Number(process.env.SOAK_RUNS ?? 20);
const KILLS = Number(process.env.SOAK_KILLS ?? 8);
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_MS ?? 3000);
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_MS ?? 30 * 60_000);
/** Fine-tuning epochs per run: long enough for kills to land mid-run. */
const EPOCHS = Number(process.env.SOAK_EPOCHS ?? 20);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): void => { process.stderr.write(`[soak] ${line}\n`); };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let pg: { url: string; stop(): void } | null = null;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const started = await startThrowawayPostgres();
  if ('missing' in started) {
    console.log(JSON.stringify({ skipped: started.missing }));
    process.exit(0);
  }
  pg = started;
  databaseUrl = started.url;
}
const dataDir = mkdtempSync(join(tmpdir(), 'condense-soak-'));
const env = {
  ...process.env, DATABASE_URL: databaseUrl, CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm',
  CONDENSE_SIGNING_SECRET: 'soak-'.repeat(10), NODE_ENV: 'production', CONDENSE_PLUGINS: '',
};

interface Proc { name: string; port: number; child: ChildProcess | null; up: boolean }
const procs: Proc[] = [{ name: 'a', port: await freePort(), child: null, up: false }, { name: 'b', port: await freePort(), child: null, up: false }];

function start(proc: Proc): Promise<void> {
  const out = createWriteStream(join(dataDir, `${proc.name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services/cli/main.ts'), 'serve'], {
    cwd: ROOT, env: { ...env, PORT: String(proc.port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.child = child;
  child.stdout!.pipe(out);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      buffered += chunk.toString();
      if (!proc.up && buffered.includes('API listening on')) {
        proc.up = true;
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      proc.up = false;
      if (proc.child === child) proc.child = null;
      reject(new Error(`serve ${proc.name} exited (${signal ?? code}) before listening; see ${dataDir}/${proc.name}.log`));
    });
  });
}

const url = (proc: Proc, path = '/graphql'): string => `http://127.0.0.1:${proc.port}${path}`;
const live = (): Proc[] => procs.filter((p) => p.up);

async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const proc = live()[attempt % Math.max(1, live().length)];
    try {
      if (!proc) throw new Error('no process is up');
      const res = await fetch(url(proc), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
      if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
      return body.data!;
    } catch (error) {
      if (attempt > 60) throw error;
      await sleep(500);
    }
  }
}

// 1. Processes (one after the other: each migrates at start), an organization, a model and data.
await start(procs[0]!);
await start(procs[1]!);
const database = await openDatabase(loadConfig(env), { migrate: false });
const boot = await bootstrapOrganization(database.db, { name: 'Soak', slug: `soak-${Date.now().toString(36)}`, ownerEmail: 'soak@example.test', ownerName: 'Soak' });
const key = boot.apiKey.secret;

async function uploadAndComplete(purpose: 'MODEL' | 'DATASET', filename: string, bytes: Uint8Array, complete: string, input: Record<string, unknown>): Promise<string> {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const created = await gql<{ createUpload: { upload: { id: string }; uploadUrl: string } }>(key,
    'mutation($input: CreateUploadInput!) { createUpload(input: $input) { upload { id } uploadUrl } }', { input: { purpose, filename, bytes: bytes.length, sha256: sha } });
  const put = await fetch(created.createUpload.uploadUrl, { method: 'PUT', body: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } });
  if (!put.ok) throw new Error(`upload PUT answered ${put.status}`);
  const done = await gql<Record<string, { id?: string; modelVersion?: { id: string }; dataset?: { id: string } }>>(key, complete, { input: { uploadId: created.createUpload.upload.id, ...input } });
  const payload = Object.values(done)[0]!;
  return payload.modelVersion?.id ?? payload.dataset!.id;
}
const project = (await gql<{ createProject: { project: { id: string } } }>(key, 'mutation { createProject(input: { name: "soak" }) { project { id } } }')).createProject.project.id;
const modelVersionId = await uploadAndComplete('MODEL', 'tiny.zip', await tinyModelZip(),
  'mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } } }', { projectId: project, modelName: 'tiny' });
const datasetId = await uploadAndComplete('DATASET', 'tiny.npz', tinyDatasetNpz(),
  'mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id } } }', { projectId: project, name: 'tiny' });

// 2. The killer, from now on (startRun retries with its idempotency key when a process dies).
let kills = 0;
let finished = false;
const restarts: Promise<void>[] = [];
const killer = (async () => {
  while (kills < KILLS && !finished) {
    await sleep(KILL_EVERY_MS);
    if (finished) break;
    // One process at a time: the other keeps serving while the victim restarts.
    if (live().length < procs.length) continue;
    const victim = procs[Math.floor(Math.random() * procs.length)]!;
    if (!victim.child) continue;
    victim.child.kill('SIGKILL');
    victim.up = false;
    kills++;
    log(`kill ${kills}: SIGKILL serve ${victim.name}`);
    restarts.push((async () => {
      await sleep(300);
      for (;;) {
        try {
          await start(victim);
          return;
        } catch (error) {
          log(`restart failed: ${(error as Error).message}`);
          await sleep(1000);
        }
      }
    })());
  }
})();

// 3. The runs, each with a subscriber that reconnects with its last cursor.
const runIds: string[] = [];
for (let i = 0; i < RUNS; i++) {
  const started = await gql<{ startRun: { run: { id: string } } }>(key, 'mutation($input: StartRunInput!) { startRun(input: $input) { run { id } } }', {
    input: { modelVersionId, datasetId, targets: ['cpu-int8'], idempotencyKey: `soak-${i}`, techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: EPOCHS, samplesPerEpoch: 256 } }] },
  });
  runIds.push(started.startRun.run.id);
}
log(`${RUNS} runs started on ${procs.map((p) => p.port).join(' and ')}`);

const TERMINAL = new Set(['RUN_SUCCEEDED', 'RUN_FAILED', 'RUN_CANCELLED']);
let reconnects = 0;
async function follow(runId: string, index: number): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let attempt = 0; ; attempt++) {
    const proc = live()[(index + attempt) % Math.max(1, live().length)];
    if (!proc) { await sleep(300); continue; }
    const client = createClient({ url: `ws://127.0.0.1:${proc.port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: true });
    const ended = await new Promise<boolean>((resolve) => {
      let terminal = false;
      client.subscribe({ query: 'subscription($runId: ID!, $after: String) { runEvents(runId: $runId, after: $after) { cursor sequence type } }', variables: { runId, after: cursor } }, {
        next: (value) => {
          const event = (value.data as { runEvents: { cursor: string; sequence: number; type: string } }).runEvents;
          seen.push(event.sequence);
          cursor = event.cursor;
          if (TERMINAL.has(event.type)) terminal = true;
        },
        error: () => resolve(terminal),
        complete: () => resolve(terminal),
      });
    });
    await client.dispose();
    if (ended) return seen;
    reconnects++;
    await sleep(300);
  }
}
const timelines = Promise.all(runIds.map((id, i) => follow(id, i)));

const deadline = sleep(TIMEOUT_MS).then(() => 'timeout' as const);
const outcome = await Promise.race([timelines.then((t) => ({ timelines: t })), deadline]);
finished = true;
await killer;
await Promise.all(restarts);

// 4. Checks, from the database and the subscribers.
const ids = runIds.map((g) => Buffer.from(g, 'base64url').toString('utf8').split(':')[1]!);
const stats = await withTenant(database.db, boot.organization.id, async (trx) => {
  const runs = await trx.selectFrom('compression_runs').select(['id', 'status']).where('id', 'in', ids).execute();
  const terminalEvents = await trx.selectFrom('run_events').select(['run_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('run_id', 'in', ids).where('type', 'in', [...TERMINAL] as never[]).groupBy('run_id').execute();
  const maxSeq = await trx.selectFrom('run_events').select(['run_id', (eb) => eb.fn.max('seq').as('seq')]).where('run_id', 'in', ids).groupBy('run_id').execute();
  const dupes = await trx.selectFrom('candidates').select(['run_id', 'key', (eb) => eb.fn.countAll<string>().as('n')])
    .where('run_id', 'in', ids).groupBy(['run_id', 'key']).having((eb) => eb.fn.countAll(), '>', 1).execute();
  const candidates = await trx.selectFrom('candidates').select((eb) => eb.fn.countAll<string>().as('n')).where('run_id', 'in', ids).executeTakeFirstOrThrow();
  return { runs, terminalEvents, maxSeq, dupes, candidates: Number(candidates.n) };
});
const terminalCount = new Map(stats.terminalEvents.map((r) => [r.run_id, Number(r.n)]));
const stuck = stats.runs.filter((r) => !['succeeded', 'failed', 'cancelled'].includes(r.status)).length;
const endedTwice = ids.filter((id) => (terminalCount.get(id) ?? 0) > 1).length;
let lostEvents = 0;
if (outcome !== 'timeout') {
  for (const [i, seen] of outcome.timelines.entries()) {
    const n = Number(stats.maxSeq.find((r) => r.run_id === ids[i])?.seq ?? 0);
    const expected = Array.from({ length: n }, (_, k) => k + 1);
    // Missing, repeated or out of order: positions where the subscriber's timeline differs.
    lostEvents += Math.max(n, seen.length) - expected.filter((s, k) => seen[k] === s).length;
  }
}

for (const proc of procs) proc.child?.kill('SIGTERM');
await sleep(2000);
for (const proc of procs) proc.child?.kill('SIGKILL');
await database.close();
pg?.stop();
if (!process.env.SOAK_KEEP) rmSync(dataDir, { recursive: true, force: true });

const result = {
  runs: RUNS, succeeded: stats.runs.filter((r) => r.status === 'succeeded').length, kills, reconnects, candidates: stats.candidates,
  lost_events: outcome === 'timeout' ? -1 : lostEvents, duplicate_candidates: stats.dupes.length, runs_ended_twice: endedTwice, stuck_runs: outcome === 'timeout' ? Math.max(stuck, 1) : stuck,
};
log(outcome === 'timeout' ? `timed out after ${TIMEOUT_MS} ms` : 'every subscriber saw its run end');
console.log(JSON.stringify(result));
process.exit(result.lost_events === 0 && result.duplicate_candidates === 0 && result.stuck_runs === 0 && endedTwice === 0 ? 0 : 1);
