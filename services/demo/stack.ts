// Everything `condense serve` runs, in this process: embedded PostgreSQL (PGlite) in a fresh data
// directory, the embedded runner, and the API on an ephemeral loopback port. The operator token
// is generated here and never leaves the process.
import { randomBytes } from 'node:crypto';
import type { ActivitySizes } from '../activities/index.ts';
import { createServer, type ApiServer } from '../api/server.ts';
import { loadConfig } from '../config.ts';
import { EmbeddedRunner } from '../runs/embedded-runner.ts';
import { openRunServices, type RunServices } from '../runs/run-services.ts';

export interface DemoStack {
  server: ApiServer;
  services: RunServices;
  adminToken: string;
  close(): Promise<void>;
}

export async function startDemoStack(options: { dataDir: string; sizes?: ActivitySizes; log: (line: string) => void }): Promise<DemoStack> {
  const adminToken = randomBytes(32).toString('base64url');
  // Embedded on purpose, whatever the environment says: the demo is self-contained.
  const config = loadConfig({
    ...process.env,
    CONDENSE_DATA_DIR: options.dataDir,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    CONDENSE_SIGNING_SECRET: '',
    CONDENSE_ADMIN_TOKEN: adminToken,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const services = await openRunServices(config, { log: options.log, ...(options.sizes ? { sizes: options.sizes } : {}) });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 200, log: options.log, workers: config.workers });
  let server: ApiServer;
  try {
    runner.run();
    server = await createServer({ database: services.database, config, launcher: runner, blobs: services.blobs, port: 0, host: '127.0.0.1', log: options.log });
  } catch (error) {
    await runner.stop();
    await services.close();
    throw error;
  }
  return {
    server,
    services,
    adminToken,
    close: async () => {
      await server.close();
      await runner.stop();
      await services.pluginHost.close?.();
      await services.close();
    },
  };
}
