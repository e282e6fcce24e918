// Runs for the runner's scenario tests, the way `condense compress` makes them: run services on a
// test database and a temporary data directory, a run created with createLocalRun, executed to
// the end by the embedded runner with the real activities, and read back — its result and its
// stored candidates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Selectable } from 'kysely';
import { loadConfig } from '../../services/config.ts';
import type { ActivitySizes } from '../../services/activities/index.ts';
import { withTenant } from '../../services/db/tenant.ts';
import type { CandidatesTable } from '../../services/db/types/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun, type LocalRunRequest } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices, type RunServicesOptions } from '../../services/runs/run-services.ts';
import type { RunResult } from '../../workflows/types.ts';
import { createTestDatabase } from './database.ts';

export interface TestRunServices {
  services: RunServices;
  /** Closes the database and deletes the data directory. */
  close(): Promise<void>;
}

/** Run services on the wasm backend, a fresh test database and a temporary data directory. */
export async function openTestRunServices(
  name: string, sizes: ActivitySizes, options: Omit<RunServicesOptions, 'database' | 'sizes'> = {},
): Promise<TestRunServices> {
  const dataDir = mkdtempSync(join(tmpdir(), `condense-${name}-`));
  const services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
    ...options,
    database: await createTestDatabase(),
    sizes,
  });
  return {
    services,
    async close() {
      await services.database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FinishedRun {
  orgId: string;
  runId: string;
  result: RunResult;
  /** The run's stored candidates, by key. */
  candidates: Selectable<CandidatesTable>[];
}

/** Creates `request` as a local run, runs it to the end with an embedded runner and reads its candidates. */
export async function runToEnd(services: RunServices, request: LocalRunRequest, timeoutMs = 300_000): Promise<FinishedRun> {
  const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, request);
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 50 });
  runner.run();
  let result;
  try {
    await runner.start(orgId, runId);
    result = await runner.waitFor(runId, timeoutMs);
  } finally {
    // A failed wait must not leave the runner polling: the test process would never exit.
    await runner.stop();
  }
  const candidates = await withTenant(services.database.db, orgId, (trx) =>
    trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('key').execute());
  return { orgId, runId, result, candidates };
}

/** What a failed run says, with every failed candidate's stage and message. */
export function runFailure(run: FinishedRun): string {
  return `${run.result.message ?? run.result.status}: ${run.candidates.filter((c) => c.status !== 'succeeded').map((c) => `${c.key} ${c.failure_stage}: ${c.failure_message}`).join('; ')}`;
}
