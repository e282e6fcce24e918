// Starts and cancels runs on a Temporal cluster (used when TEMPORAL_ADDRESS is set). One workflow
// per run, id derived from the run id, so starting twice is harmless and cancel finds it.
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { MAIN_TASK_QUEUE } from '../../workflows/activity-contract.ts';
import { COMPRESSION_WORKFLOW_TYPE, statusQuery, workflowIdForRun } from '../../workflows/queries.ts';
import type { HardwareClass, RunInput, RunResult, RunStatusSnapshot } from '../../workflows/types.ts';
import type { RunLauncher } from './launcher.ts';

export interface TemporalLauncherOptions {
  address: string;
  namespace?: string;
  /** Hardware class for the runs' training activities (default cpu). */
  hardwareClass?: HardwareClass;
}

export class TemporalLauncher implements RunLauncher {
  private constructor(
    private readonly connection: Connection,
    readonly client: Client,
    private readonly hardwareClass: HardwareClass,
  ) {}

  static async connect(options: TemporalLauncherOptions): Promise<TemporalLauncher> {
    let connection: Connection;
    try {
      connection = await Connection.connect({ address: options.address });
    } catch (err) {
      throw new Error(`cannot reach Temporal at ${options.address}: ${(err as Error).message}`, { cause: err });
    }
    const client = new Client({ connection, namespace: options.namespace ?? 'default' });
    return new TemporalLauncher(connection, client, options.hardwareClass ?? 'cpu');
  }

  async start(orgId: string, runId: string): Promise<void> {
    const input: RunInput = { orgId, runId, hardwareClass: this.hardwareClass };
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
