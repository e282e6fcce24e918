// How the API hands runs to an executor. services/runs implements it (Temporal client, embedded
// runner); until one is injected, runs are only recorded as queued.
export interface RunLauncher {
  /** Called after the run row (status queued) is committed; `hardwareClass` is the run's. */
  start(orgId: string, runId: string, options?: { hardwareClass?: 'cpu' | 'gpu' }): Promise<void>;
  /** Called after cancel_requested_at is set; the executor stops the run and records it cancelled. */
  cancel(orgId: string, runId: string): Promise<void>;
}

/** Default launcher: runs stay queued until an executor picks them up. */
export const queueOnlyLauncher: RunLauncher = {
  async start() {},
  async cancel() {},
};
