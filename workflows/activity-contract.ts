// The activities the orchestration calls, their inputs/outputs and their execution options.
// Both bindings (Temporal and the embedded runner) read the options from here, so timeouts and
// retry rules are stated once.
import type {
  BaselineMetrics,
  CandidateEvaluation,
  CandidateOutcome,
  CompressedModel,
  ExportedCandidate,
  HardwareClass,
  Plan,
  PlannedCandidate,
  PlannedStep,
  RunFinalStatus,
  RunRef,
  StepResult,
  ValidatedRun,
} from './types.ts';

export interface ActivityContract {
  validateInputs: { input: RunRef; output: ValidatedRun };
  evaluateBaseline: { input: RunRef; output: BaselineMetrics };
  planCandidates: { input: RunRef & { baseline: BaselineMetrics }; output: Plan };
  compressCandidate: { input: RunRef & { candidate: PlannedCandidate }; output: CompressedModel };
  /** One step of the plan's graph; `candidates` are the keys of the candidates that use it (for
   * the timeline), `root` is true for a chain's first step. */
  runStep: { input: RunRef & { step: PlannedStep; candidates: string[]; root: boolean }; output: StepResult };
  exportCandidate: { input: RunRef & { candidate: PlannedCandidate; compressed: CompressedModel }; output: ExportedCandidate };
  evaluateCandidate: { input: RunRef & { candidate: PlannedCandidate; exported: ExportedCandidate }; output: CandidateEvaluation };
  storeCandidate: { input: RunRef & { candidate: PlannedCandidate; outcome: CandidateOutcome; baseline: BaselineMetrics }; output: { candidateId: string } };
  finishRun: { input: RunRef & { status: RunFinalStatus; message?: string }; output: { paretoCandidateIds: string[] } };
}

export type ActivityName = keyof ActivityContract;
export type ActivityInput<N extends ActivityName> = ActivityContract[N]['input'];
export type ActivityOutput<N extends ActivityName> = ActivityContract[N]['output'];

export const ACTIVITY_NAMES: readonly ActivityName[] = [
  'validateInputs',
  'evaluateBaseline',
  'planCandidates',
  'compressCandidate',
  'runStep',
  'exportCandidate',
  'evaluateCandidate',
  'storeCandidate',
  'finishRun',
];

/**
 * Error types that are never worth retrying: the input is wrong, or a plugin failed in a way a
 * second attempt would repeat. Activities throw errors whose `name` (Temporal: ApplicationFailure
 * type) is one of these.
 */
export const NON_RETRYABLE_ERROR_TYPES = [
  'InvalidInput',
  'ModelImportError',
  'DatasetError',
  'PluginFailure',
  'ExportError',
  'UnsupportedLayer',
  'NotFound',
] as const;

export interface RetryRule {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

export interface ActivityProfile {
  startToCloseMs: number;
  /** Activity must heartbeat at least this often; a silent worker is presumed dead and retried. */
  heartbeatMs: number;
  retry: RetryRule;
  /** Long compute (training) runs on a per-hardware task queue; bookkeeping on the main queue. */
  queue: 'main' | 'hardware';
}

const bookkeepingRetry: RetryRule = { maximumAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 30_000 };
const computeRetry: RetryRule = { maximumAttempts: 3, initialIntervalMs: 2000, backoffCoefficient: 2, maximumIntervalMs: 60_000 };

export const ACTIVITY_PROFILES: Record<ActivityName, ActivityProfile> = {
  validateInputs: { startToCloseMs: 10 * 60_000, heartbeatMs: 60_000, retry: bookkeepingRetry, queue: 'main' },
  evaluateBaseline: { startToCloseMs: 30 * 60_000, heartbeatMs: 60_000, retry: computeRetry, queue: 'hardware' },
  planCandidates: { startToCloseMs: 5 * 60_000, heartbeatMs: 60_000, retry: bookkeepingRetry, queue: 'main' },
  compressCandidate: { startToCloseMs: 6 * 60 * 60_000, heartbeatMs: 60_000, retry: computeRetry, queue: 'hardware' },
  runStep: { startToCloseMs: 6 * 60 * 60_000, heartbeatMs: 60_000, retry: computeRetry, queue: 'hardware' },
  exportCandidate: { startToCloseMs: 30 * 60_000, heartbeatMs: 60_000, retry: computeRetry, queue: 'hardware' },
  evaluateCandidate: { startToCloseMs: 30 * 60_000, heartbeatMs: 60_000, retry: computeRetry, queue: 'hardware' },
  storeCandidate: { startToCloseMs: 60_000, heartbeatMs: 30_000, retry: bookkeepingRetry, queue: 'main' },
  finishRun: { startToCloseMs: 60_000, heartbeatMs: 30_000, retry: bookkeepingRetry, queue: 'main' },
};

/** Task queue that takes workflows and bookkeeping activities. */
export const MAIN_TASK_QUEUE = 'condense';

export function hardwareTaskQueue(hardware: HardwareClass): string {
  return `condense-${hardware}`;
}

export function taskQueueFor(name: ActivityName, hardware: HardwareClass): string {
  return ACTIVITY_PROFILES[name].queue === 'hardware' ? hardwareTaskQueue(hardware) : MAIN_TASK_QUEUE;
}
