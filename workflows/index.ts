// Entry point for Temporal's workflow bundle (Worker `workflowsPath`): every workflow type.
export { compressionRun } from './compression-run.ts';
export { statusQuery } from './queries.ts';
