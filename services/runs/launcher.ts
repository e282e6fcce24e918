// How the API hands a run to whatever executes it. The API's createServer takes one of these;
// services/runs has two: the Temporal client and the embedded runner.
export interface RunLauncher {
  start(orgId: string, runId: string): Promise<void>;
  cancel(orgId: string, runId: string): Promise<void>;
}
