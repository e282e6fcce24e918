// API benchmark on loopback, on both databases in one run: embedded PGlite, and PostgreSQL 15 —
// DATABASE_URL when set, otherwise a throwaway server started like .ci/run does (skipped, with the
// reason, when the binaries are missing). Per database:
//   query  — the typical query (viewer + 10 projects) from 50 concurrent clients;
//   write  — createProject + startRun (with an idempotency key) from 50 concurrent clients;
//   mixed  — 50 clients, one in five running the write script, the rest the typical query;
//   fan-out — 200 graphql-ws subscribers of one run receiving 1,000 events.
// PostgreSQL is measured a second time with BENCH_API_PROCESSES (default 2) API processes on one
// port (services/api/cluster.ts, as `condense serve` with CONDENSE_API_PROCESSES runs them).
// The HTTP load runs in a child process (bench/lib/http-load.ts), so the figures are the server's.
// Each database gets a fresh organization, so the bench can run again on the same database.
// The LAST line printed is one JSON object with the headline numbers.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { forkApiProcesses } from '../services/api/cluster.ts';
import { queueOnlyLauncher } from '../services/api/launcher.ts';
import { createServer } from '../services/api/server.ts';
import { toGlobalId } from '../services/api/ids.ts';
import { loadConfig } from '../services/config.ts';
import { openDatabase, type Database } from '../services/db/database.ts';
import { withTenant } from '../services/db/tenant.ts';
import { appendRunEvent } from '../services/events/index.ts';
import { finishRun } from '../services/runs-store/index.ts';
import { cpuMsBetween, processCpuMs, selfCpuMs } from './lib/cpu.ts';
import { TYPICAL_QUERY, seedBenchOrg, writeBodies, type BenchOrg } from './lib/api-workload.ts';
import type { LoadPlan, LoadResult, LoadStep } from './lib/http-load.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './lib/throwaway-postgres.ts';

const CLIENTS = Number(process.env.BENCH_QUERY_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_QUERY_SECONDS ?? 8);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const FANOUT_TIMEOUT_MS = 120_000;
/** Seconds of the typical query before the measured phases: a fresh process's JIT and each connection's prepared statements warm up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/** Which databases to measure (default both); e.g. BENCH_DATABASES=pg. */
const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,pg').split(',').map((s) => s.trim());
/** A directory: write a CPU profile of this (the server's) process during each query phase there. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE || undefined;
const LOADER = fileURLToPath(new URL('./lib/http-load.ts', import.meta.url));
/** API processes of the extra PostgreSQL pass (CONDENSE_API_PROCESSES of `condense serve`); 1 skips that pass. */
const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? 2);
const API_PROCESS = fileURLToPath(new URL('./lib/api-process.ts', import.meta.url));

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  requests: number;
}

/** CPU milliseconds per request of each process during a phase (db: null when its processes are not visible). */
interface CpuFigures {
  server: number;
  loader: number;
  db: number | null;
}

interface DatabaseFigures {
  query: Figures & { statementsPerRequest: number; roundTripsPerRequest: number; cpu: CpuFigures };
  write: Figures & { statementsPerRequest: number; roundTripsPerRequest: number };
  mixedQuery: Figures;
  mixedWrite: Figures;
  fanout: { deliveredRatio: number; inOrder: boolean; p50: number; p99: number; seconds: number };
}

/** Runs the load generator in its own process and returns its result. */
function load(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', LOADER, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with code ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult);
    });
  });
}

function figures(result: LoadResult, kind: string): Figures {
  const k = result.kinds[kind] ?? { latenciesMs: [], failures: 0 };
  if (k.firstFailure) console.log(`  first ${kind} failure: ${k.firstFailure}`);
  const sorted = [...k.latenciesMs].sort((a, b) => a - b);
  return { rps: sorted.length / result.elapsedSeconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed: k.failures, requests: sorted.length };
}

const show = (label: string, f: Figures, extra = '') =>
  console.log(`  ${label.padEnd(12)} ${String(f.requests).padStart(6)} requests, ${f.failed} failed; ${round(f.rps, 1)} req/s, p50 ${round(f.p50)} ms, p99 ${round(f.p99)} ms${extra}`);

/** The server under test: in this process, or several API processes (services/api/cluster.ts). */
interface Target {
  url: string;
  wsUrl: string;
  /** Statements and round trips sent so far by the server's pool(s). */
  statements(): Promise<{ count: number; roundTrips: number }>;
  /** CPU milliseconds the server has used so far. */
  cpuMs(): number;
  /** Whether a CPU profile can be taken (in-process only). */
  inProcess: boolean;
  close(): Promise<void>;
}

async function loadPhase(
  target: Target, org: BenchOrg, scripts: LoadStep[][], dbPids: (() => number[]) | null, profileAs?: string,
): Promise<{ result: LoadResult; statements: number; roundTrips: number; cpu: CpuFigures }> {
  const url = `${target.url}/graphql`;
  const session = profileAs && CPU_PROFILE_DIR && target.inProcess ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const before = await target.statements();
  const dbBefore = dbPids ? processCpuMs(dbPids()) : null;
  const serverBefore = target.cpuMs();
  const result = await load({ url, key: org.key, seconds: SECONDS, clients: CLIENTS, scripts });
  const serverMs = target.cpuMs() - serverBefore;
  const dbMs = dbBefore && dbPids ? cpuMsBetween(dbBefore, processCpuMs(dbPids())) : null;
  const after = await target.statements();
  const statements = after.count - before.count;
  const roundTrips = after.roundTrips - before.roundTrips;
  const requests = Math.max(1, Object.values(result.kinds).reduce((n, k) => n + k.latenciesMs.length, 0));
  const cpu = { server: serverMs / requests, loader: result.cpuMs / requests, db: dbMs === null ? null : dbMs / requests };
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(CPU_PROFILE_DIR!, { recursive: true });
    const file = join(CPU_PROFILE_DIR!, `${profileAs}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`  CPU profile of the server during this phase: ${file}`);
  }
  console.log(
    `  CPU per request: server ${round(cpu.server)} ms, load generator ${round(cpu.loader)} ms, database ${cpu.db === null ? 'in the server (PGlite) or not visible' : `${round(cpu.db)} ms`}` +
      ` (${round((serverMs + result.cpuMs + (dbMs ?? 0)) / (result.elapsedSeconds * 10))} % of one core in all)`,
  );
  return { result, statements, roundTrips, cpu };
}

async function fanout(database: Database, wsUrl: string, org: BenchOrg): Promise<DatabaseFigures['fanout']> {
  const runGlobalId = toGlobalId('CompressionRun', org.runId);
  const perSubscriber: { seqs: number[]; latencies: number[] }[] = [];
  let ready = 0;
  let onAllReady: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (onAllReady = resolve));
  const clients = Array.from({ length: SUBSCRIBERS }, () =>
    createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${org.key}` }, retryAttempts: 0 }),
  );
  const finished = clients.map((client, i) => {
    const record = { seqs: [] as number[], latencies: [] as number[] };
    perSubscriber[i] = record;
    return new Promise<void>((resolve) => {
      client.subscribe<{ runEvents: { sequence: number; data: { sentAt?: number } } }>(
        { query: 'subscription($runId: ID!) { runEvents(runId: $runId) { sequence data } }', variables: { runId: runGlobalId } },
        {
          next: (result) => {
            const event = result.data?.runEvents;
            if (!event) return;
            if (event.sequence === 1) {
              ready++;
              if (ready === SUBSCRIBERS) onAllReady();
              return;
            }
            record.seqs.push(event.sequence);
            if (typeof event.data.sentAt === 'number') record.latencies.push(Date.now() - event.data.sentAt);
          },
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
  });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), FANOUT_TIMEOUT_MS).unref());
  if ((await Promise.race([allReady.then(() => 'ok' as const), timeout])) === 'timeout') console.log(`  fan-out: only ${ready}/${SUBSCRIBERS} subscribers became ready`);
  const fanStart = performance.now();
  for (let i = 1; i < EVENTS; i++) {
    await withTenant(database.db, org.orgId, (trx) =>
      appendRunEvent(trx, { orgId: org.orgId, runId: org.runId, type: 'CANDIDATE_PROGRESS', payload: { candidateKey: 'bench', step: i, loss: 1 / i, sentAt: Date.now() } }),
    );
    // Embedded PGlite runs queries on this thread and resolves them as microtasks: a producer
    // appending in a tight loop in the server's own process would starve socket I/O until it
    // stops. A real producer (a training loop) yields between progress events; so does this one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await withTenant(database.db, org.orgId, (trx) => finishRun(trx, { orgId: org.orgId, runId: org.runId, status: 'succeeded' }));
  const outcome = await Promise.race([Promise.all(finished).then(() => 'ok' as const), timeout]);
  const seconds = (performance.now() - fanStart) / 1000;
  await Promise.all(clients.map((c) => c.dispose()));

  // Events 2..EVENTS+1 are the EVENTS appended (EVENTS−1 progress + the terminal event).
  let delivered = 0;
  let inOrder = true;
  const latencies: number[] = [];
  for (const record of perSubscriber) {
    delivered += record.seqs.length;
    inOrder &&= record.seqs.every((s, i) => s === i + 2);
    latencies.push(...record.latencies);
  }
  latencies.sort((a, b) => a - b);
  const result = { deliveredRatio: delivered / (SUBSCRIBERS * EVENTS), inOrder, p50: percentile(latencies, 50), p99: percentile(latencies, 99), seconds };
  console.log(
    `  fan-out      ${SUBSCRIBERS} subscribers × ${EVENTS} events in ${round(seconds)} s (${outcome}); delivered ${delivered}/${SUBSCRIBERS * EVENTS}; ` +
      `in order: ${inOrder}; delivery p50 ${round(result.p50)} ms, p99 ${round(result.p99)} ms`,
  );
  return result;
}

async function benchDatabase(databaseUrl: string | undefined, dbPids: (() => number[]) | null, processes = 1): Promise<DatabaseFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'condense-bench-api-'));
  const env = { ...process.env, DATABASE_URL: databaseUrl ?? '', CONDENSE_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  const config = loadConfig(env);
  const database = await openDatabase(config, { migrate: true });
  let target: Target;
  if (processes > 1) {
    const api = await forkApiProcesses({ processes, launcher: queueOnlyLauncher, log: (line) => console.log(`  ${line}`), exec: API_PROCESS, env: env as Record<string, string> });
    target = {
      url: api.url,
      wsUrl: `${api.url.replace('http', 'ws')}/graphql`,
      statements: async () => (await api.ask<{ count: number; roundTrips: number }>('statements')).reduce((a, b) => ({ count: a.count + b.count, roundTrips: a.roundTrips + b.roundTrips }), { count: 0, roundTrips: 0 }),
      cpuMs: () => [...processCpuMs(api.pids()).values()].reduce((a, b) => a + b, 0),
      inProcess: false,
      close: () => api.close(),
    };
  } else {
    const server = await createServer({ database, config, port: 0, host: '127.0.0.1', rateLimit: false, log: () => undefined });
    target = { url: server.url, wsUrl: server.wsUrl, statements: async () => ({ ...database.statements }), cpuMs: selfCpuMs, inProcess: true, close: () => server.close() };
  }
  console.log(
    `${database.kind}${database.kind === 'postgres' ? ` (pool ${config.dbPoolSize} per API process)` : ''}: server ${target.url} in ${processes} API process${processes > 1 ? 'es' : ''}, ${CLIENTS} clients, ${SECONDS} s per phase`,
  );
  try {
    const org = await seedBenchOrg(database);
    // Writers write in an organization of their own, so the typical query reads 10 projects in
    // every phase (not the thousands the write phase creates).
    const writer = await seedBenchOrg(database, 1);
    const write = writeBodies(writer);
    const queryStep: LoadStep = { kind: 'query', body: JSON.stringify({ query: TYPICAL_QUERY }) };
    const writeScript: LoadStep[] = [{ kind: 'write', body: write.createProject, key: writer.key }, { kind: 'write', body: write.startRun, key: writer.key }];

    if (WARMUP_SECONDS > 0) await load({ url: `${target.url}/graphql`, key: org.key, seconds: WARMUP_SECONDS, clients: CLIENTS, scripts: [[queryStep], [queryStep], [queryStep], [queryStep], writeScript] });
    const q = await loadPhase(target, org, [[queryStep]], dbPids, `query-${database.kind}${processes > 1 ? `-${processes}` : ''}`);
    const query = { ...figures(q.result, 'query'), statementsPerRequest: 0, roundTripsPerRequest: 0, cpu: q.cpu };
    query.statementsPerRequest = q.statements / Math.max(1, query.requests);
    query.roundTripsPerRequest = q.roundTrips / Math.max(1, query.requests);
    show('query', query, `; ${round(query.statementsPerRequest)} statements in ${round(query.roundTripsPerRequest)} round trips per request`);

    const w = await loadPhase(target, org, [writeScript], dbPids);
    const writeFigures = { ...figures(w.result, 'write'), statementsPerRequest: 0, roundTripsPerRequest: 0 };
    writeFigures.statementsPerRequest = w.statements / Math.max(1, writeFigures.requests);
    writeFigures.roundTripsPerRequest = w.roundTrips / Math.max(1, writeFigures.requests);
    show('write', writeFigures, `; ${round(writeFigures.statementsPerRequest)} statements in ${round(writeFigures.roundTripsPerRequest)} round trips per request`);

    const m = await loadPhase(target, org, [writeScript, [queryStep], [queryStep], [queryStep], [queryStep]], dbPids);
    const mixedQuery = figures(m.result, 'query');
    const mixedWrite = figures(m.result, 'write');
    show('mixed query', mixedQuery);
    show('mixed write', mixedWrite);

    return { query, write: writeFigures, mixedQuery, mixedWrite, fanout: await fanout(database, target.wsUrl, org) };
  } finally {
    await target.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A new, empty database on the server of `url` (or `url` itself when this role may not create one). */
async function freshDatabase(url: string): Promise<{ url: string; note: string; drop: () => Promise<void> }> {
  const name = `condense_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    return { url, note: `same database (cannot create one: ${(error as Error).message})`, drop: async () => undefined };
  }
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    note: `fresh database ${name}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
    },
  };
}

let throwaway: ThrowawayPostgres | null = null;
let pgUrl = process.env.DATABASE_URL || undefined;
let pgNote = pgUrl ? 'DATABASE_URL' : '';
if (!DATABASES.includes('pg')) pgNote = 'PostgreSQL skipped: BENCH_DATABASES has no "pg"';
else if (!pgUrl) {
  const started = await startThrowawayPostgres();
  if ('missing' in started) pgNote = `PostgreSQL skipped: ${started.missing}`;
  else {
    throwaway = started;
    pgUrl = started.url;
    pgNote = 'throwaway PostgreSQL 15';
  }
}
console.log(`machine: ${execFileSync('uptime').toString().trim()}`);
try {
  const lite = DATABASES.includes('pglite') ? await benchDatabase(undefined, null) : null;
  let pg: DatabaseFigures | null = null;
  let pgProcesses: DatabaseFigures | null = null;
  if (pgUrl && DATABASES.includes('pg')) {
    console.log(`PostgreSQL: ${pgNote}`);
    pg = await benchDatabase(pgUrl, throwaway ? () => throwaway!.pids() : null);
    if (API_PROCESSES > 1) {
      // A database of its own, so this pass does not read tables the first pass's writes filled.
      const fresh = await freshDatabase(pgUrl);
      console.log(`PostgreSQL, ${API_PROCESSES} API processes (CONDENSE_API_PROCESSES), ${fresh.note}:`);
      try {
        pgProcesses = await benchDatabase(fresh.url, throwaway ? () => throwaway!.pids() : null, API_PROCESSES);
      } finally {
        await fresh.drop();
      }
    }
  } else console.log(pgNote);
  console.log(`machine: ${execFileSync('uptime').toString().trim()}`);
  const headline = (suffix: string, f: DatabaseFigures | null) => ({
    [`query_rps_${suffix}`]: f ? round(f.query.rps, 1) : null,
    [`query_p50_ms_${suffix}`]: f ? round(f.query.p50) : null,
    [`query_p99_ms_${suffix}`]: f ? round(f.query.p99) : null,
    [`query_statements_${suffix}`]: f ? round(f.query.statementsPerRequest) : null,
    [`query_round_trips_${suffix}`]: f ? round(f.query.roundTripsPerRequest) : null,
    [`query_server_cpu_ms_${suffix}`]: f ? round(f.query.cpu.server, 3) : null,
    [`query_db_cpu_ms_${suffix}`]: f && f.query.cpu.db !== null ? round(f.query.cpu.db, 3) : null,
    [`write_rps_${suffix}`]: f ? round(f.write.rps, 1) : null,
    [`write_p99_ms_${suffix}`]: f ? round(f.write.p99) : null,
    [`write_statements_${suffix}`]: f ? round(f.write.statementsPerRequest) : null,
    [`write_round_trips_${suffix}`]: f ? round(f.write.roundTripsPerRequest) : null,
    [`mixed_query_p99_ms_${suffix}`]: f ? round(f.mixedQuery.p99) : null,
    [`mixed_write_p99_ms_${suffix}`]: f ? round(f.mixedWrite.p99) : null,
    [`mixed_rps_${suffix}`]: f ? round(f.mixedQuery.rps + f.mixedWrite.rps, 1) : null,
    [`failed_${suffix}`]: f ? f.query.failed + f.write.failed + f.mixedQuery.failed + f.mixedWrite.failed : null,
    [`fanout_delivered_ratio_${suffix}`]: f ? round(f.fanout.deliveredRatio, 4) : null,
    [`fanout_in_order_${suffix}`]: f ? f.fanout.inOrder : null,
    [`fanout_p99_ms_${suffix}`]: f ? round(f.fanout.p99) : null,
  });
  console.log(JSON.stringify({ ...headline('pg', pg), ...headline('pglite', lite), api_processes: API_PROCESSES > 1 ? API_PROCESSES : null, ...headline('pg_processes', pgProcesses) }));
} finally {
  throwaway?.stop();
}
