// Entry point for Temporal's workflow bundle (Worker `workflowsPath`): every workflow type.
export { compressionRun, statusQuery } from './compression-run.ts';
