// The smaller commands: serve, worker, migrate, plugins list, targets list. The run machinery (ML
// engine, plugin host, Temporal) is imported by the commands that use it, so `migrate`,
// `targets list` and argument errors answer without loading it.
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { appliedMigrations, migrateDown, migrateToLatest } from '../db/migrate.ts';
import { CATALOG_VERSION, listTargets } from '../targets/index.ts';
import type { RunLauncher } from '../runs/launcher.ts';
import type { HardwareClass } from '../../workflows/types.ts';
import { CliError } from './errors.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function serveCommand(config: Config): Promise<void> {
  const { createServer } = await import('../api/server.ts');
  const cluster = await import('../api/cluster.ts');
  if (cluster.isApiProcess()) {
    // One of several API processes (CONDENSE_API_PROCESSES): HTTP and WebSocket only; the primary
    // runs the launcher and this process forwards runs to it.
    const database = await openDatabase(config);
    const server = await createServer({ database, config, launcher: cluster.forwardingLauncher(), log: say });
    await cluster.serveApiProcess(server.url, async () => {
      await server.close();
      await database.close();
    });
    return;
  }
  const processesError = cluster.apiProcessesError(config.apiProcesses, config.databaseUrl ? 'postgres' : 'pglite');
  if (processesError) throw new CliError(processesError, 'set DATABASE_URL, or leave CONDENSE_API_PROCESSES at 1');
  const [{ openRunServices }, { EmbeddedRunner }, { TemporalLauncher }] = await Promise.all([
    import('../runs/run-services.ts'), import('../runs/embedded-runner.ts'), import('../runs/temporal-launcher.ts'),
  ]);
  const services = await openRunServices(config, { log: say });
  let launcher: RunLauncher;
  let stopLauncher: () => Promise<void>;
  if (config.temporalAddress) {
    const temporal = await TemporalLauncher.connect({ address: config.temporalAddress });
    launcher = temporal;
    stopLauncher = () => temporal.close();
    say(`condense: runs go to Temporal at ${config.temporalAddress} (start \`condense worker\` to execute them)`);
  } else {
    const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, log: say, workers: config.workers });
    runner.run();
    launcher = runner;
    stopLauncher = () => runner.stop();
    say('condense: runs execute in this process (embedded runner; set TEMPORAL_ADDRESS to use Temporal)');
  }
  let stopApi: () => Promise<void>;
  if (config.apiProcesses > 1) {
    const api = await cluster.forkApiProcesses({ processes: config.apiProcesses, launcher, log: say });
    say(`condense: API listening on ${api.url}/graphql in ${config.apiProcesses} processes (${api.pids().join(', ')})`);
    say(`condense: console at ${api.url}/ (sign in with an API key)`);
    stopApi = () => api.close();
  } else {
    const server = await createServer({ database: services.database, config, launcher, blobs: services.blobs, log: say });
    say(`condense: API listening on ${server.graphqlUrl}`);
    say(`condense: console at ${server.url}/ (sign in with an API key)`);
    stopApi = () => server.close();
  }
  const signal = await untilSignal();
  say(`condense: ${signal}, shutting down`);
  await stopApi();
  say('condense: API stopped; stopping the runner');
  await stopLauncher();
  await services.close();
}

export async function workerCommand(config: Config, options: { hardware: string; main: boolean }): Promise<void> {
  const hardware = options.hardware.split(',').map((h) => h.trim()).filter(Boolean);
  for (const h of hardware) if (h !== 'cpu' && h !== 'gpu') throw new CliError(`--hardware: unknown class "${h}"`, 'use cpu, gpu or cpu,gpu');
  const [{ openRunServices }, { EmbeddedRunner }, { runTemporalWorkers }] = await Promise.all([
    import('../runs/run-services.ts'), import('../runs/embedded-runner.ts'), import('../worker/temporal-worker.ts'),
  ]);
  const services = await openRunServices(config, { log: say });
  try {
    if (config.temporalAddress) {
      say(`condense: Temporal worker on ${config.temporalAddress}: queues ${[options.main ? 'condense' : null, ...hardware.map((h) => `condense-${h}`)].filter(Boolean).join(', ')}`);
      await runTemporalWorkers({ address: config.temporalAddress, activities: services.activities, hardware: hardware as HardwareClass[], main: options.main, workers: config.workers });
    } else {
      // Without Temporal a worker is one more embedded runner on the shared database: it claims
      // queued runs (leases keep two processes off the same run).
      const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, log: say, workers: config.workers });
      runner.run();
      say(`condense: embedded runner ${runner.ownerId} claiming runs from the ${services.database.kind} database (set TEMPORAL_ADDRESS for a Temporal worker)`);
      await untilSignal();
      say('condense: stopping; runs in flight are released to the next runner');
      await runner.stop();
    }
  } finally {
    await services.close();
  }
}

export async function migrateCommand(config: Config, options: { down?: boolean }): Promise<void> {
  const database = await openDatabase(config);
  try {
    if (options.down) {
      const reverted = await migrateDown(database.db);
      process.stdout.write(reverted.length ? `reverted ${reverted.join(', ')}\n` : 'nothing to revert\n');
    } else {
      const applied = await migrateToLatest(database.db);
      process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'already up to date\n');
    }
    process.stdout.write(`migrations now applied: ${(await appliedMigrations(database.db)).join(', ') || 'none'}\n`);
  } finally {
    await database.close();
  }
}

export async function pluginsListCommand(config: Config, options: { json?: boolean }): Promise<void> {
  const { createPluginHost } = await import('../plugins/index.ts');
  const host = await createPluginHost({ pluginList: config.plugins.join(',') });
  const report = host.list();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report.map((p) => p.manifest), null, 2)}\n`);
    return;
  }
  const rows = report.map((p) => [p.manifest.name, p.manifest.version, p.manifest.kind, p.manifest.hardwareTargets.join(','), p.manifest.summary]);
  printTable(['name', 'version', 'kind', 'targets', 'summary'], rows);
  const { describeSandbox } = await import('../plugins/sandbox.ts');
  process.stdout.write(`${describeSandbox()}\n`);
}

export function targetsListCommand(options: { json?: boolean }): void {
  const targets = listTargets();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(targets, null, 2)}\n`);
    return;
  }
  const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(0)} MB` : `${(n / 1024).toFixed(0)} KB`);
  printTable(
    ['id', 'name', 'quantization', 'max file', 'max activations', 'runtime'],
    targets.map((t) => [t.id, t.name, t.preferredQuantization, kb(t.maxFileBytes), kb(t.maxActivationBytes), t.runtime]),
  );
  process.stdout.write(`catalog version ${CATALOG_VERSION}\n`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n')}\n`);
}
