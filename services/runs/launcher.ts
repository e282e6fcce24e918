// How the API hands a run to whatever executes it. The API's createServer takes one of these;
// services/runs has two: the Temporal client and the embedded runner.
import type { HardwareClass } from '../../workflows/types.ts';

export interface StartOptions {
  /** Where the run's training steps go (task queue condense-cpu / condense-gpu); default: the
   * launcher's own default (cpu). */
  hardwareClass?: HardwareClass;
}

export interface RunLauncher {
  start(orgId: string, runId: string, options?: StartOptions): Promise<void>;
  cancel(orgId: string, runId: string): Promise<void>;
}
