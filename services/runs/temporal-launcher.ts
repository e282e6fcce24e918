// Starts and cancels runs on a Temporal cluster (used when TEMPORAL_ADDRESS is set). One workflow
// per run, id derived from the run id, so starting twice is harmless and cancel finds it.
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { hardwareTaskQueue, MAIN_TASK_QUEUE } from '../../workflows/activity-contract.ts';
import { COMPRESSION_WORKFLOW_TYPE, statusQuery, workflowIdForRun } from '../../workflows/queries.ts';
import type { HardwareClass, RunInput, RunResult, RunStatusSnapshot } from '../../workflows/types.ts';
import type { RunLauncher, StartOptions } from './launcher.ts';

export interface TemporalLauncherOptions {
  address: string;
  namespace?: string;
  /** Hardware class for the runs' training activities (default cpu). */
  hardwareClass?: HardwareClass;
  /** Activities a run executes at once (default: the workers polling the run's hardware queue
   * when the run starts, at least 1). */
  maxParallel?: number;
}

export class TemporalLauncher implements RunLauncher {
  private constructor(
    private readonly connection: Connection,
    readonly client: Client,
    private readonly hardwareClass: HardwareClass,
    private readonly maxParallel: number | undefined,
    private readonly namespace: string,
  ) {}

  static async connect(options: TemporalLauncherOptions): Promise<TemporalLauncher> {
    let connection: Connection;
    try {
      connection = await Connection.connect({ address: options.address });
    } catch (err) {
      throw new Error(`cannot reach Temporal at ${options.address}: ${(err as Error).message}`, { cause: err });
    }
    const client = new Client({ connection, namespace: options.namespace ?? 'default' });
    const namespace = options.namespace ?? 'default';
    return new TemporalLauncher(connection, client, options.hardwareClass ?? 'cpu', options.maxParallel, namespace);
  }

  /** Workers polling the activity task queue of `hardware` right now (at least 1). */
  private async workersAvailable(hardware: HardwareClass): Promise<number> {
    try {
      const response = await this.client.workflowService.describeTaskQueue({
        namespace: this.namespace,
        taskQueue: { name: hardwareTaskQueue(hardware) },
        taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
      });
      return Math.max(1, response.pollers?.length ?? 0);
    } catch {
      return 1;
    }
  }

  async start(orgId: string, runId: string, options: StartOptions = {}): Promise<void> {
    const hardwareClass = options.hardwareClass ?? this.hardwareClass;
    const maxParallel = this.maxParallel ?? (await this.workersAvailable(hardwareClass));
    const input: RunInput = { orgId, runId, hardwareClass, maxParallel };
    try {
      await this.client.workflow.start(COMPRESSION_WORKFLOW_TYPE, {
        taskQueue: MAIN_TASK_QUEUE,
        workflowId: workflowIdForRun(runId),
        args: [input],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async cancel(_orgId: string, runId: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(workflowIdForRun(runId)).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  async status(runId: string): Promise<RunStatusSnapshot | null> {
    return this.client.workflow.getHandle(workflowIdForRun(runId)).query(statusQuery);
  }

  async result(runId: string): Promise<RunResult> {
    return (await this.client.workflow.getHandle(workflowIdForRun(runId)).result()) as RunResult;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
