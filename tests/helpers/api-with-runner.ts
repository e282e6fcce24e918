// The API served beside an embedded runner on one fresh data dir, as `condense serve` wires them,
// with one organization bootstrapped: what the end-to-end API tests start before their runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActivitySizes } from '../../services/activities/deps.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { loadConfig } from '../../services/config.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { openRunServices } from '../../services/runs/run-services.ts';
import { bootstrapOrganization } from '../../services/tenancy/index.ts';

export interface ApiWithRunner {
  server: ApiServer;
  /** The bootstrapped organization owner's API key. */
  key: string;
  close(): Promise<void>;
}

export async function startApiWithRunner(options: {
  tag: string;
  backend: 'cpu' | 'wasm';
  sizes: ActivitySizes;
  org: { name: string; slug: string; ownerEmail: string; ownerName: string };
}): Promise<ApiWithRunner> {
  const dataDir = mkdtempSync(join(tmpdir(), `condense-${options.tag}-`));
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, NODE_ENV: 'test', CONDENSE_BACKEND: options.backend, CONDENSE_SIGNING_SECRET: 's'.repeat(40) });
  const services = await openRunServices(config, { sizes: options.sizes });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, log: () => undefined });
  runner.run();
  const server = await createServer({ database: services.database, config, launcher: runner, blobs: services.blobs, port: 0, host: '127.0.0.1', log: () => undefined });
  const key = (await bootstrapOrganization(services.database.db, options.org)).apiKey.secret;
  return {
    server,
    key,
    async close() {
      await server.close();
      await runner.stop();
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
