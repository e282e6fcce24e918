// `condense worker`: runs Temporal workers for this process. One worker polls the main task queue
// (workflows and bookkeeping activities), one per hardware class polls `condense-<class>` for the
// training activities, so a machine with a GPU takes GPU work by running `--hardware gpu`.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { hardwareTaskQueue, MAIN_TASK_QUEUE } from '../../workflows/activity-contract.ts';
import type { HardwareClass } from '../../workflows/types.ts';
import type { ActivityImplementations } from '../activities/context.ts';
import { temporalActivities } from '../activities/temporal-adapter.ts';

export interface TemporalWorkerOptions {
  address: string;
  namespace?: string;
  activities: ActivityImplementations;
  /** Hardware classes whose queues this process serves (default ['cpu']). */
  hardware?: HardwareClass[];
  /** Also serve the main queue (workflows + bookkeeping); default true. */
  main?: boolean;
  /** Training activities this process runs at once, each plugin call in its own sandboxed process
   * (CONDENSE_WORKERS; default 1). */
  workers?: number;
}

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** Creates the workers and runs them until SIGINT/SIGTERM (Temporal's runtime handles both). */
export async function runTemporalWorkers(options: TemporalWorkerOptions): Promise<void> {
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: options.address });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${options.address}: ${(err as Error).message}`, { cause: err });
  }
  const activities = temporalActivities(options.activities);
  const namespace = options.namespace ?? 'default';
  // Heartbeats are throttled to at most this interval: cancellation reaches a training loop in
  // about this long (Temporal delivers cancellation in the heartbeat response).
  const heartbeat = { maxHeartbeatThrottleInterval: '2s', defaultHeartbeatThrottleInterval: '2s' } as const;
  const workers: Worker[] = [];
  try {
    if (options.main ?? true) {
      workers.push(await Worker.create({ connection, namespace, taskQueue: MAIN_TASK_QUEUE, workflowsPath, activities, ...heartbeat }));
    }
    for (const hw of options.hardware ?? ['cpu']) {
      workers.push(
        await Worker.create({
          connection,
          namespace,
          taskQueue: hardwareTaskQueue(hw),
          activities,
          // One plugin process (tfjs) uses one core: as many at once as the process has workers.
          maxConcurrentActivityTaskExecutions: Math.max(1, options.workers ?? 1),
          ...heartbeat,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}
