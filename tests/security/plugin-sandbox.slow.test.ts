// The plugin sandbox against a hostile plugin (tests/fixtures/plugins/hostile.ts) loaded the way
// an operator loads third-party plugins, next to a real data dir (signing secret, blobs, and the
// embedded database's files when no DATABASE_URL is set). Every escape it tries fails, nothing it
// runs reaches this (the host) process, and a well-behaved plugin still works through a real run
// on the embedded runner in the same host.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kysely } from 'kysely';
import { loadConfig } from '../../services/config.ts';
import { tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';
import { sandboxCapabilities } from '../../services/plugins/sandbox.ts';
import type { LogEntry } from '../../services/plugins/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';

const HOSTILE = fileURLToPath(new URL('../fixtures/plugins/hostile.ts', import.meta.url));
const PRUNING = fileURLToPath(new URL('../../plugins/pruning', import.meta.url));
const MARK_FILE = join(tmpdir(), 'condense-hostile-plugin-was-here');
const marks = globalThis as { __condenseHostile?: string[] };
const originalTransaction = Kysely.prototype.transaction;

let dataDir: string;
let services: RunServices;
let listener: Server;
let connections = 0;
let port = 0;

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

before(async () => {
  rmSync(MARK_FILE, { force: true });
  dataDir = mkdtempSync(join(tmpdir(), 'condense-sandbox-'));
  listener = createTcpServer((socket) => { connections++; socket.destroy(); });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm', PORT: '0', CONDENSE_ADMIN_TOKEN: 'a'.repeat(40) });
  services = await openRunServices(config, {
    sizes: { latencyRuns: 0, calibrationSamples: 64, evalSamples: 200 },
    plugins: { builtins: false, list: [PRUNING, HOSTILE].join(',') },
  });
});

after(async () => {
  await services?.pluginHost.close();
  await services?.close();
  listener?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a hostile third-party plugin', () => {
  it('loads without any of its code running in this process (module top level, registerLayers)', () => {
    assert.deepEqual(services.pluginHost.errors, []);
    assert.equal(services.pluginHost.get('fixture-hostile').origin, 'env');
    assert.equal(services.pluginHost.get('fixture-hostile').hasRegisterLayers, true);
    // openRunServices registered custom layers (pluginInvoker): the hostile hook did not run here.
    assert.equal(marks.__condenseHostile, undefined);
    assert.equal(existsSync(MARK_FILE), false);
  });

  it('fails at every escape it tries, and the host stays healthy', async (t) => {
    const caps = sandboxCapabilities();
    if (process.getuid?.() === 0) assert.deepEqual(caps, { mode: 'root', network: true, unprivilegedUser: true, resourceLimits: true }, 'as root every OS mechanism is available here');
    const secrets = filesUnder(dataDir);
    assert.ok(secrets.some((f) => f.endsWith('signing-secret')), 'the data dir holds the signing secret');
    const logs: LogEntry[] = [];
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    const r = await services.pluginHost.invoke('fixture-hostile', {
      model,
      data: datasetFromArrays(new Float32Array(40), new Int32Array(10), [4]),
      config: { readFiles: secrets, writeDirs: [dataDir, join(dataDir, 'blobs'), tmpdir()], port, pids: [process.pid] },
      onLog: (l) => logs.push(l),
    });
    assert.deepEqual(r.failures, []);
    const report = logs.find((l) => l.message === 'attempts')?.fields as { results: Record<string, string>; uid: number; marks: string[] };
    assert.ok(report, 'the plugin reported its attempts');
    const reads = Object.entries(report.results).filter(([what]) => what.startsWith(`read ${dataDir}`));
    t.diagnostic(`read each of the ${reads.length} files of the data dir: ${[...new Set(reads.map(([, outcome]) => outcome))].join(', ')}`);
    for (const [what, outcome] of Object.entries(report.results)) if (!what.startsWith(`read ${dataDir}`)) t.diagnostic(`${what.replaceAll(dataDir, '<dataDir>')}: ${outcome}`);
    const allowed = ['write into scratch (allowed)', 'read own scratch (allowed)', 'patch Kysely'];
    for (const [what, outcome] of Object.entries(report.results)) {
      if (allowed.includes(what)) assert.match(outcome, /^SUCCEEDED/, `${what}: ${outcome}`);
      else if (what.startsWith('connect') && !caps.network) continue; // documented residual risk
      else assert.match(outcome, /^failed/, `${what}: ${outcome}`);
    }
    // Specific mechanisms, so a change that fails differently is noticed.
    const results = report.results;
    assert.equal(results.environment, 'failed: empty');
    assert.equal(results['read /proc/self/environ'], 'failed: ERR_ACCESS_DENIED');
    assert.equal(results['execSync id'], 'failed: ERR_ACCESS_DENIED');
    assert.equal(results['worker thread'], 'failed: ERR_ACCESS_DENIED');
    assert.equal(results['process.binding'], 'failed: ERR_ACCESS_DENIED');
    for (const file of secrets) assert.equal(results[`read ${file}`], 'failed: ERR_ACCESS_DENIED', file);
    if (caps.network) {
      assert.equal(results['connect 127.0.0.1'], 'failed: ENETUNREACH');
      assert.equal(results['connect 1.1.1.1:53'], 'failed: ENETUNREACH');
    }
    if (caps.unprivilegedUser) {
      assert.equal(report.uid, 65534);
      assert.equal(results[`signal ${process.pid}`], 'failed: EPERM');
    }
    // Its marks stayed in its own process; none reached this one or the disk.
    assert.deepEqual(report.marks, ['module top level', 'registerLayers']);
    assert.equal(marks.__condenseHostile, undefined);
    assert.equal(existsSync(MARK_FILE), false);
    assert.equal(connections, 0, 'nothing reached the listener');
    assert.equal(Kysely.prototype.transaction, originalTransaction);
    for (const dir of [dataDir, join(dataDir, 'blobs'), tmpdir()]) assert.equal(existsSync(join(dir, 'hostile-was-here')), false);
    // The host is alive (a signal would have ended this test) and its scratch dir is gone.
    assert.deepEqual(filesUnder(dataDir).sort(), secrets.sort());
  });
});

describe('a real run with the hostile plugin and a well-behaved one', () => {
  it('finishes: pruning produces its candidate through the sandbox, the database is intact', async () => {
    const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
      model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
      data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
      targets: ['cpu-int8'],
      techniques: [
        { plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } },
        { plugin: 'fixture-hostile', config: { port, pids: [process.pid] } },
      ],
    });
    const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 100 });
    runner.run();
    try {
      await runner.start(orgId, runId);
      const result = await runner.waitFor(runId, 240_000);
      assert.equal(result.status, 'succeeded', JSON.stringify(result).slice(0, 500));
      // The planner chained the techniques: pruning's candidate went through the hostile plugin too.
      const candidates = result.candidates as Array<{ ok: boolean; key: string; candidateId?: string }>;
      assert.ok(candidates.length > 0 && candidates.every((c) => c.ok && c.candidateId), JSON.stringify(candidates));
      assert.ok(candidates.some((c) => c.key.includes('pruning')), JSON.stringify(candidates));
    } finally {
      await runner.stop();
    }
    assert.equal(connections, 0);
    assert.equal(Kysely.prototype.transaction, originalTransaction);
    assert.equal(marks.__condenseHostile, undefined);
  });
});
