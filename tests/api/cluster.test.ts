// `condense serve` with CONDENSE_API_PROCESSES=2 (services/api/cluster.ts): two API processes on
// one port over PostgreSQL — requests on any connection answer, a subscriber on one process gets
// the events other processes write, a run started through an API process reaches the primary's
// launcher, a crashed API process is replaced, and SIGTERM stops them all. On embedded PGlite the
// command refuses with a clear error. The PostgreSQL part runs when DATABASE_URL is set (CI).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { TYPICAL_QUERY, seedBenchOrg, type BenchOrg } from '../../bench/lib/api-workload.ts';
import { toGlobalId } from '../../services/api/ids.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { finishRun } from '../../services/runs-store/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `condense serve` as its own process (the CLI's module directly, so signals reach it). */
function serve(env: Record<string, string>): { proc: ChildProcess; output: () => string; listening: Promise<{ url: string; pids: number[] }>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'services/cli/main.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a failed test can end it and its API processes together.
    detached: true,
  });
  let text = '';
  let onLine: () => void = () => undefined;
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    onLine();
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ url: string; pids: number[] }>((resolve, reject) => {
    onLine = () => {
      const m = /API listening on (http:\/\/\S+)\/graphql in \d+ processes \(([\d, ]+)\)/.exec(text);
      if (m) resolve({ url: m[1]!, pids: m[2]!.split(',').map((p) => Number(p.trim())) });
    };
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${text}`)));
  });
  listening.catch(() => undefined);
  return { proc, output: () => text, listening, exited };
}

/** A GraphQL POST on a fresh connection (so the primary hands it to the next API process). */
function post(url: string, key: string, body: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('several API processes (CONDENSE_API_PROCESSES)', () => {
  it('refuses on the embedded database, naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'condense-cluster-'));
    try {
      const s = serve({ CONDENSE_DATA_DIR: dataDir, CONDENSE_API_PROCESSES: '2', DATABASE_URL: '', PORT: '0' });
      const code = await s.exited;
      assert.notEqual(code, 0);
      assert.match(s.output(), /CONDENSE_API_PROCESSES=2 needs a PostgreSQL database \(DATABASE_URL\)/);
      assert.doesNotMatch(s.output(), /^\s+at /m, 'no stack trace');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('on PostgreSQL', { skip: process.env.DATABASE_URL ? false : 'needs PostgreSQL (DATABASE_URL)' }, () => {
    let database: Database;
    let org: BenchOrg;
    let dataDir: string;
    let server: ReturnType<typeof serve>;
    let url: string;
    let pids: number[];

    before(async () => {
      database = await createTestDatabase();
      org = await seedBenchOrg(database);
      dataDir = mkdtempSync(join(tmpdir(), 'condense-cluster-'));
      server = serve({ CONDENSE_DATA_DIR: dataDir, CONDENSE_API_PROCESSES: '2', DATABASE_URL: database.connectionString!, PORT: '0', CONDENSE_WORKERS: '1' });
      ({ url, pids } = await server.listening);
    });
    after(async () => {
      if (server?.proc.pid !== undefined) {
        try {
          process.kill(-server.proc.pid, 'SIGKILL');
        } catch {
          // the group has ended
        }
      }
      await database?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves from two processes on one port: every connection is answered', async () => {
      assert.equal(new Set(pids).size, 2);
      assert.ok(pids.every(alive));
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(url, org.key, { query: TYPICAL_QUERY })));
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(a.json.data.projects.totalCount, 10);
      }
    });

    it('a subscriber gets the events other processes write, and a run started through an API process is executed by the primary', async () => {
      const client = createClient({ url: url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${org.key}` }, retryAttempts: 0 });
      const seen: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        client.subscribe<{ runEvents: { type: string } }>(
          { query: 'subscription($runId: ID!) { runEvents(runId: $runId) { type } }', variables: { runId: toGlobalId('CompressionRun', org.runId) } },
          { next: (r) => void (r.data && seen.push(r.data.runEvents.type)), error: reject, complete: resolve },
        );
      });
      done.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      try {
        const deadline = Date.now() + 30_000;
        while (!seen.includes('RUN_QUEUED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        // Written by this test process; they reach the subscriber's API process through NOTIFY.
        await withTenant(database.db, org.orgId, (trx) => appendRunEvent(trx, { orgId: org.orgId, runId: org.runId, type: 'CANDIDATE_PROGRESS', payload: { candidateKey: 'c', step: 1 } }));
        await withTenant(database.db, org.orgId, (trx) => finishRun(trx, { orgId: org.orgId, runId: org.runId, status: 'succeeded' }));
        await Promise.race([done, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no terminal event; seen ${seen.join(', ')}`)), 60_000)))]);
      } finally {
        clearTimeout(timer);
        await client.dispose();
      }
      assert.deepEqual(seen, ['RUN_QUEUED', 'CANDIDATE_PROGRESS', 'RUN_SUCCEEDED']);

      // startRun on an API process: the primary's embedded runner gets the run (forwarded over
      // IPC) and executes it — here it fails at once, its model's bytes being made up.
      const started = await post(url, org.key, {
        query: 'mutation($input: StartRunInput!) { startRun(input: $input) { run { id status } userErrors { code message } } }',
        variables: { input: { modelVersionId: org.modelVersionId, datasetId: org.datasetId, targets: ['cpu-int8'] } },
      });
      assert.deepEqual(started.json.data.startRun.userErrors, [], JSON.stringify(started.json));
      const runId = started.json.data.startRun.run.id;
      let status = 'QUEUED';
      const until = Date.now() + 90_000;
      while (status === 'QUEUED' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await post(url, org.key, { query: 'query($id: ID!) { node(id: $id) { ... on CompressionRun { status } } }', variables: { id: runId } })).json.data.node.status;
      }
      assert.notEqual(status, 'QUEUED', 'the primary\'s runner took the run');
    });

    it('replaces an API process that dies, and SIGTERM stops every process', async () => {
      process.kill(pids[0]!, 'SIGKILL');
      const deadline = Date.now() + 60_000;
      while (!/exited \(SIGKILL\); starting another/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(server.output(), /API process \d+ exited \(SIGKILL\); starting another/);
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(url, org.key, { query: '{ viewer { role } }' })));
      assert.ok(answers.every((a) => a.status === 200 && a.json.data.viewer.role === 'OWNER'));
      server.proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([server.exited, new Promise((resolve) => (timer = setTimeout(() => resolve('still running after 60 s'), 60_000)))]).finally(() => clearTimeout(timer));
      assert.equal(code, 0, server.output());
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!alive(pids[1]!), 'the API processes ended with the primary');
    });
  });
});
