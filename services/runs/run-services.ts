// Assembles what executing runs needs in one process — database, blob store, plugin host,
// activities — from the configuration. Used by `condense compress`, `serve` and `worker`.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openBlobStore } from '../blob/index.ts';
import { makePrivateDir } from '../files/private.ts';
import type { BlobStore } from '../blob/types.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { initEngine } from '../engine/backend/index.ts';
import { createPluginHost, type PluginHost } from '../plugins/index.ts';
import { describeSandbox } from '../plugins/sandbox.ts';
import { planForRun } from '../planner/index.ts';
import { createActivities, pluginInvoker, type ActivityImplementations, type ActivitySizes, type Planner } from '../activities/index.ts';

export interface RunServices {
  database: Database;
  blobs: BlobStore;
  pluginHost: PluginHost;
  activities: ActivityImplementations;
  close(): Promise<void>;
}

export interface RunServicesOptions {
  sizes?: ActivitySizes;
  /** Default: the multi-candidate planner (services/planner). */
  planner?: Planner;
  /** Wall-clock limit per plugin invocation (ms). */
  pluginTimeoutMs?: number;
  log?: (message: string) => void;
  /** Which plugins to load: by default the built-ins (of `rootDir`/plugins, default this repository) plus CONDENSE_PLUGINS. */
  plugins?: { builtins?: boolean; list?: string; rootDir?: string };
  /** Reuse an open database instead of opening one from the config. */
  database?: Database;
}

export async function openRunServices(config: Config, options: RunServicesOptions = {}): Promise<RunServices> {
  const database = options.database ?? (await openDatabase(config, { migrate: true }));
  try {
    const blobs = openBlobStore(config);
    const scratchDir = join(config.dataDir, 'scratch');
    makePrivateDir(scratchDir);
    await initEngine(config.backend);
    const pluginHost = await createPluginHost({
      pluginList: options.plugins?.list ?? config.plugins.join(','),
      builtins: options.plugins?.builtins ?? true,
      ...(options.plugins?.rootDir ? { rootDir: options.plugins.rootDir } : {}),
      backend: config.backend,
      // Plan steps run in parallel (CONDENSE_WORKERS), each plugin call in its own sandboxed process.
      concurrency: config.workers,
      ...(options.pluginTimeoutMs ? { timeoutMs: options.pluginTimeoutMs } : {}),
    });
    // What isolates plugin processes on this host (docs/security.md says what each mode leaves open).
    options.log?.(describeSandbox());
    const activities = createActivities({
      db: database.db,
      blobs,
      plugins: await pluginInvoker(pluginHost),
      planner: options.planner ?? planForRun,
      scratchDir,
      ...(options.sizes ? { sizes: options.sizes } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    return {
      database,
      blobs,
      pluginHost,
      activities,
      close: async () => {
        if (!options.database) await database.close();
      },
    };
  } catch (err) {
    if (!options.database) await database.close();
    throw err;
  }
}
