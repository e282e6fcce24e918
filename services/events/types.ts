// Run events: the durable, ordered timeline of one compression run.

/** What happened; the GraphQL enum RunEventType mirrors these names. */
export const RUN_EVENT_TYPES = [
  'RUN_QUEUED',
  'RUN_STARTED',
  'PHASE_CHANGED',
  'CANDIDATE_STARTED',
  'CANDIDATE_PROGRESS',
  'CANDIDATE_FINISHED',
  'RUN_SUCCEEDED',
  'RUN_FAILED',
  'RUN_CANCELLED',
  'LOG',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** Events after which nothing more is appended to a run (a subscription completes). */
export const TERMINAL_RUN_EVENTS: ReadonlySet<RunEventType> = new Set(['RUN_SUCCEEDED', 'RUN_FAILED', 'RUN_CANCELLED']);

/**
 * Conventional payload fields (all optional) so clients can render progress without guessing:
 * PHASE_CHANGED `{ phase }`; CANDIDATE_* `{ candidateKey, candidateId?, epoch, epochs, step,
 * steps, loss, metrics, samplesPerSecond, etaSeconds }`; RUN_FAILED `{ message }`; LOG `{ message }`.
 */
export interface RunEventPayload {
  phase?: string;
  candidateKey?: string;
  candidateId?: string;
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  metrics?: Record<string, number>;
  samplesPerSecond?: number;
  etaSeconds?: number;
  message?: string;
  [key: string]: unknown;
}

export interface RunEvent {
  orgId: string;
  runId: string;
  /** Monotonic per run, starting at 1; the subscription cursor. */
  seq: number;
  type: RunEventType;
  payload: RunEventPayload;
  createdAt: Date;
}

/** What NOTIFY carries: ids only (the payload limit is ~8000 bytes); listeners read the rows. */
export interface RunEventNotice {
  orgId: string;
  runId: string;
  seq: number;
}

export const RUN_EVENTS_CHANNEL = 'condense_run_events';
