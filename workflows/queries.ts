// Queries the compression workflow answers; shared by the workflow and the Temporal client.
import { defineQuery } from '@temporalio/workflow';
import type { RunStatusSnapshot } from './types.ts';

/** The run's current status as the orchestration last published it (null before it started). */
export const statusQuery = defineQuery<RunStatusSnapshot | null>('status');

/** Workflow type name of the compression run (the exported function in compression-run.ts). */
export const COMPRESSION_WORKFLOW_TYPE = 'compressionRun';

/** One workflow per run: starting twice is a no-op, cancelling finds it by the run id. */
export function workflowIdForRun(runId: string): string {
  return `condense-run-${runId}`;
}
