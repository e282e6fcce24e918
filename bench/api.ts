// API benchmark on loopback: (1) a typical query from 50 concurrent HTTP clients — p50/p99
// latency and requests/s; (2) fan-out — 200 graphql-ws subscribers of one run receiving 1,000
// events — delivered ratio, order, and p99 delivery latency. Bounded in count and time.
// The LAST line printed is one JSON object with the headline numbers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createServer } from '../services/api/server.ts';
import { toGlobalId } from '../services/api/ids.ts';
import { loadConfig } from '../services/config.ts';
import { openDatabase } from '../services/db/database.ts';
import { withTenant } from '../services/db/tenant.ts';
import { appendRunEvent } from '../services/events/index.ts';
import { finishRun } from '../services/runs-store/index.ts';
import { bootstrapOrganization } from '../services/tenancy/index.ts';

const QUERY_CLIENTS = Number(process.env.BENCH_QUERY_CLIENTS ?? 50);
const QUERY_SECONDS = Number(process.env.BENCH_QUERY_SECONDS ?? 8);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const FANOUT_TIMEOUT_MS = 120_000;

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

const dataDir = mkdtempSync(join(tmpdir(), 'condense-bench-api-'));
const config = loadConfig({ ...process.env, CONDENSE_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
const database = await openDatabase(config, { migrate: true });
const server = await createServer({ database, config, port: 0, host: '127.0.0.1', rateLimit: false, log: () => undefined });
console.log(`database: ${database.kind}; server ${server.url}`);

try {
  const boot = await bootstrapOrganization(database.db, { name: 'Bench', slug: 'bench', ownerEmail: 'bench@example.test', ownerName: 'Bench' });
  const key = boot.apiKey.secret;
  const orgId = boot.organization.id;

  // Fixtures: 10 projects; one with a model version, a dataset and a run for the fan-out.
  const runId = await withTenant(database.db, orgId, async (trx) => {
    let projectId = '';
    for (let i = 0; i < 10; i++) {
      projectId = (await trx.insertInto('projects').values({ org_id: orgId, name: `project-${i}` }).returning('id').executeTakeFirstOrThrow()).id;
    }
    const model = await trx.insertInto('models').values({ org_id: orgId, project_id: projectId, name: 'm' }).returning('id').executeTakeFirstOrThrow();
    const sha = 'a'.repeat(64);
    const version = await trx.insertInto('model_versions').values({
      org_id: orgId, model_id: model.id, version: 1, filename: 'm.keras', format: 'keras-zip', blob_sha256: sha, bytes: 1, parameter_count: 1,
      signature: JSON.stringify({ inputs: [], outputs: [] }), layer_types: JSON.stringify([]),
    }).returning('id').executeTakeFirstOrThrow();
    const dataset = await trx.insertInto('datasets').values({
      org_id: orgId, project_id: projectId, name: 'd', filename: 'd.csv', format: 'csv', kind: 'tensor', blob_sha256: sha, bytes: 1, sample_count: 1,
      num_classes: 2, labels: JSON.stringify(['a', 'b']), splits: JSON.stringify({ train: 1 }), input_shape: JSON.stringify([1]),
    }).returning('id').executeTakeFirstOrThrow();
    const run = await trx.insertInto('compression_runs').values({
      org_id: orgId, project_id: projectId, model_version_id: version.id, dataset_id: dataset.id, targets: JSON.stringify(['cpu-int8']), constraints: '{}',
    }).returning('id').executeTakeFirstOrThrow();
    await appendRunEvent(trx, { orgId, runId: run.id, type: 'RUN_QUEUED' });
    return run.id;
  });

  // (1) Typical query, 50 concurrent clients for a fixed time.
  const query = JSON.stringify({ query: '{ viewer { role organization { name } } projects(first: 10) { totalCount edges { cursor node { id name createdAt } } } }' });
  const latencies: number[] = [];
  let failures = 0;
  const until = Date.now() + QUERY_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: QUERY_CLIENTS }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const res = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: query });
        const body = (await res.json()) as { errors?: unknown };
        if (res.status !== 200 || body.errors) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const queryP50 = percentile(latencies, 50);
  const queryP99 = percentile(latencies, 99);
  const queryRps = latencies.length / elapsed;
  console.log(`query: ${latencies.length} requests from ${QUERY_CLIENTS} clients in ${round(elapsed)} s, ${failures} failed; p50 ${round(queryP50)} ms, p99 ${round(queryP99)} ms, ${round(queryRps, 1)} req/s`);

  // (2) Fan-out: SUBSCRIBERS clients subscribe to one run; EVENTS events are appended; each event
  // carries its send time, so delivery latency = receive time − send time (one clock).
  const runGlobalId = toGlobalId('CompressionRun', runId);
  const perSubscriber: { seqs: number[]; latencies: number[] }[] = [];
  let ready = 0;
  let onAllReady: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (onAllReady = resolve));
  const clients = Array.from({ length: SUBSCRIBERS }, () =>
    createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0 }),
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
  if ((await Promise.race([allReady.then(() => 'ok' as const), timeout])) === 'timeout') console.log(`fan-out: only ${ready}/${SUBSCRIBERS} subscribers became ready`);
  const fanStart = performance.now();
  for (let i = 1; i < EVENTS; i++) {
    await withTenant(database.db, orgId, (trx) =>
      appendRunEvent(trx, { orgId, runId, type: 'CANDIDATE_PROGRESS', payload: { candidateKey: 'bench', step: i, loss: 1 / i, sentAt: Date.now() } }),
    );
    // Embedded PGlite runs queries on this thread and resolves them as microtasks: a producer
    // appending in a tight loop in the server's own process would starve socket I/O until it
    // stops. A real producer (a training loop) yields between progress events; so does this one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await withTenant(database.db, orgId, (trx) => finishRun(trx, { orgId, runId, status: 'succeeded' }));
  const outcome = await Promise.race([Promise.all(finished).then(() => 'ok' as const), timeout]);
  const fanSeconds = (performance.now() - fanStart) / 1000;
  await Promise.all(clients.map((c) => c.dispose()));

  // Events 2..EVENTS+1 are the EVENTS appended (EVENTS−1 progress + the terminal event).
  const expected = Array.from({ length: EVENTS }, (_, i) => i + 2);
  let delivered = 0;
  let inOrder = true;
  const fanLatencies: number[] = [];
  for (const record of perSubscriber) {
    delivered += record.seqs.length;
    if (record.seqs.length !== expected.length || record.seqs.some((s, i) => s !== expected[i])) {
      inOrder = inOrder && record.seqs.every((s, i) => i === 0 || s === record.seqs[i - 1]! + 1);
    }
    fanLatencies.push(...record.latencies);
  }
  fanLatencies.sort((a, b) => a - b);
  const ratio = delivered / (SUBSCRIBERS * EVENTS);
  const fanP99 = percentile(fanLatencies, 99);
  console.log(
    `fan-out: ${SUBSCRIBERS} subscribers × ${EVENTS} events in ${round(fanSeconds)} s (${outcome}); delivered ${delivered}/${SUBSCRIBERS * EVENTS}; ` +
      `in order: ${inOrder}; delivery p50 ${round(percentile(fanLatencies, 50))} ms, p99 ${round(fanP99)} ms`,
  );
  console.log(
    JSON.stringify({
      query_p99_ms: round(queryP99),
      query_rps: round(queryRps, 1),
      fanout_delivered_ratio: round(ratio, 4),
      fanout_in_order: inOrder,
      fanout_p99_ms: round(fanP99),
    }),
  );
} finally {
  await server.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
