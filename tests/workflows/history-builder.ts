// Builds Temporal histories (the JSON form `temporal workflow show -o json` prints) from a short
// description of what a run did: which activities completed, failed, were retried or cancelled.
// STACK.md lists what a replayable history needs; each requirement is marked below.
import { ACTIVITY_PROFILES, MAIN_TASK_QUEUE, taskQueueFor, type ActivityName } from '../../workflows/activity-contract.ts';
import type { HardwareClass, RunInput } from '../../workflows/types.ts';

export interface ActivityStep {
  type: ActivityName;
  /** JSON result when the activity completed. */
  result?: unknown;
  /** The activity failed for good (non-retryable or retries exhausted). */
  failure?: { type: string; message: string };
  /** Attempt that finally ran (>1 = retried after earlier attempts failed/timed out). */
  attempt?: number;
  /** The run was cancelled while this activity ran. */
  cancelledWhileRunning?: boolean;
}

/**
 * A history whose activities overlap: each `schedule` is a command of the current workflow task,
 * each `complete` finishes one scheduled activity (by its `ref`) and starts a new workflow task,
 * so completions can arrive in any order (the parallel orchestration).
 */
export type ScriptLine =
  | { schedule: ActivityStep & { ref: string } }
  /** A patched() marker (and the search-attribute upsert core adds with flag 2). */
  | { patch: string }
  | { complete: string };

export interface HistoryScenario {
  name: string;
  description: string;
  workflowType: string;
  input: RunInput;
  steps: ActivityStep[];
  /** Replaces the sequential `steps` when set. */
  script?: ScriptLine[];
  result: unknown;
}

const encode = (s: string) => Buffer.from(s, 'utf8').toString('base64');
// STACK.md: payloads are {metadata:{encoding: base64("json/plain")}, data: base64(JSON)}.
const payload = (value: unknown) => ({ metadata: { encoding: encode('json/plain') }, data: encode(JSON.stringify(value)) });

export function buildHistory(scenario: HistoryScenario): { events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  const hardware: HardwareClass = scenario.input.hardwareClass ?? 'cpu';
  let clock = 0;
  const push = (eventType: string, attributesKey: string, attributes: Record<string, unknown>) => {
    const eventId = events.length + 1;
    clock += 1;
    events.push({
      eventId: String(eventId),
      // STACK.md: eventTime is needed on event 1 and each WorkflowTaskStarted; we give every event one.
      eventTime: new Date(start + clock * 1000).toISOString(),
      eventType,
      [attributesKey]: attributes,
    });
    return eventId;
  };
  const taskQueue = { name: MAIN_TASK_QUEUE, kind: 'TASK_QUEUE_KIND_NORMAL' };
  let firstTask = true;
  const workflowTask = (): number => {
    const scheduled = push('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'workflowTaskScheduledEventAttributes', {
      taskQueue,
      startToCloseTimeout: '10s',
      attempt: 1,
    });
    const started = push('EVENT_TYPE_WORKFLOW_TASK_STARTED', 'workflowTaskStartedEventAttributes', {
      scheduledEventId: String(scheduled),
      identity: 'history-builder',
      requestId: `wft-${scheduled}`,
      historySizeBytes: '0',
    });
    const completed = push('EVENT_TYPE_WORKFLOW_TASK_COMPLETED', 'workflowTaskCompletedEventAttributes', {
      scheduledEventId: String(scheduled),
      startedEventId: String(started),
      identity: 'history-builder',
      // STACK.md: without core flag 1 on the first completion a changed activity type goes unnoticed.
      ...(firstTask ? { sdkMetadata: { coreUsedFlags: [1, 2, 3], langUsedFlags: [] } } : {}),
      meteringMetadata: {},
    });
    firstTask = false;
    return completed;
  };

  push('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'workflowExecutionStartedEventAttributes', {
    workflowType: { name: scenario.workflowType },
    // STACK.md: taskQueue and workflowTaskTimeout are required (a missing taskQueue panics core).
    taskQueue,
    input: { payloads: [payload(scenario.input)] },
    workflowExecutionTimeout: '0s',
    workflowRunTimeout: '0s',
    workflowTaskTimeout: '10s',
    originalExecutionRunId: '00000000-0000-4000-8000-000000000001',
    identity: 'history-builder',
    firstExecutionRunId: '00000000-0000-4000-8000-000000000001',
    attempt: 1,
    firstWorkflowTaskBackoff: '0s',
    header: {},
  });

  let completedTask = workflowTask();
  let activitySeq = 0;
  const scheduleActivity = (step: ActivityStep): number => {
    activitySeq += 1;
    const profile = ACTIVITY_PROFILES[step.type];
    return push('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes', {
      activityId: String(activitySeq),
      activityType: { name: step.type },
      taskQueue: { name: taskQueueFor(step.type, hardware), kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: {},
      scheduleToCloseTimeout: '0s',
      scheduleToStartTimeout: '0s',
      startToCloseTimeout: `${profile.startToCloseMs / 1000}s`,
      heartbeatTimeout: `${profile.heartbeatMs / 1000}s`,
      workflowTaskCompletedEventId: String(completedTask),
      retryPolicy: {
        initialInterval: `${profile.retry.initialIntervalMs / 1000}s`,
        backoffCoefficient: profile.retry.backoffCoefficient,
        maximumInterval: `${profile.retry.maximumIntervalMs / 1000}s`,
        maximumAttempts: profile.retry.maximumAttempts,
      },
    });
  };
  if (scenario.script) {
    const scheduled = new Map<string, { eventId: number; step: ActivityStep }>();
    const patches: string[] = [];
    for (const line of scenario.script) {
      if ('schedule' in line) {
        scheduled.set(line.schedule.ref, { eventId: scheduleActivity(line.schedule), step: line.schedule });
      } else if ('patch' in line) {
        patches.push(line.patch);
        push('EVENT_TYPE_MARKER_RECORDED', 'markerRecordedEventAttributes', {
          markerName: 'core_patch',
          details: { 'patch-data': { payloads: [payload({ id: line.patch, deprecated: false })] } },
          workflowTaskCompletedEventId: String(completedTask),
        });
        push('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', 'upsertWorkflowSearchAttributesEventAttributes', {
          workflowTaskCompletedEventId: String(completedTask),
          searchAttributes: { indexedFields: { TemporalChangeVersion: payload([...patches].sort()) } },
        });
      } else {
        const done = scheduled.get(line.complete);
        if (!done) throw new Error(`script completes ${line.complete} before scheduling it`);
        const started = push('EVENT_TYPE_ACTIVITY_TASK_STARTED', 'activityTaskStartedEventAttributes', {
          scheduledEventId: String(done.eventId), identity: 'history-builder', requestId: `act-${done.eventId}`, attempt: 1,
        });
        if (done.step.failure) {
          push('EVENT_TYPE_ACTIVITY_TASK_FAILED', 'activityTaskFailedEventAttributes', {
            failure: { message: done.step.failure.message, source: 'TypeScriptSDK', applicationFailureInfo: { type: done.step.failure.type, nonRetryable: true } },
            scheduledEventId: String(done.eventId), startedEventId: String(started), identity: 'history-builder', retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
          });
        } else {
          push('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', 'activityTaskCompletedEventAttributes', {
            result: { payloads: [payload(done.step.result ?? null)] }, scheduledEventId: String(done.eventId), startedEventId: String(started), identity: 'history-builder',
          });
        }
        completedTask = workflowTask();
      }
    }
  }
  for (const step of scenario.script ? [] : scenario.steps) {
    activitySeq += 1;
    const profile = ACTIVITY_PROFILES[step.type];
    const scheduled = push('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes', {
      // STACK.md: activityId, activityType and workflowTaskCompletedEventId at least. The TS SDK
      // numbers activities 1, 2, 3… in call order.
      activityId: String(activitySeq),
      activityType: { name: step.type },
      taskQueue: { name: taskQueueFor(step.type, hardware), kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: {},
      scheduleToCloseTimeout: '0s',
      scheduleToStartTimeout: '0s',
      startToCloseTimeout: `${profile.startToCloseMs / 1000}s`,
      heartbeatTimeout: `${profile.heartbeatMs / 1000}s`,
      workflowTaskCompletedEventId: String(completedTask),
      retryPolicy: {
        initialInterval: `${profile.retry.initialIntervalMs / 1000}s`,
        backoffCoefficient: profile.retry.backoffCoefficient,
        maximumInterval: `${profile.retry.maximumIntervalMs / 1000}s`,
        maximumAttempts: profile.retry.maximumAttempts,
      },
    });
    const attempt = step.attempt ?? 1;
    const started = push('EVENT_TYPE_ACTIVITY_TASK_STARTED', 'activityTaskStartedEventAttributes', {
      scheduledEventId: String(scheduled),
      identity: 'history-builder',
      requestId: `act-${scheduled}`,
      attempt,
      ...(attempt > 1
        ? { lastFailure: { message: 'worker lost (heartbeat timeout)', timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_HEARTBEAT' } } }
        : {}),
    });
    if (step.cancelledWhileRunning) {
      push('EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'workflowExecutionCancelRequestedEventAttributes', {
        cause: 'cancelled by user',
        identity: 'history-builder',
      });
      completedTask = workflowTask();
      // TRY_CANCEL: the workflow asks to cancel the activity and, in the same task, schedules cleanup.
      push('EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED', 'activityTaskCancelRequestedEventAttributes', {
        scheduledEventId: String(scheduled),
        workflowTaskCompletedEventId: String(completedTask),
      });
      continue;
    }
    if (step.failure) {
      push('EVENT_TYPE_ACTIVITY_TASK_FAILED', 'activityTaskFailedEventAttributes', {
        failure: {
          message: step.failure.message,
          source: 'TypeScriptSDK',
          applicationFailureInfo: { type: step.failure.type, nonRetryable: true },
        },
        scheduledEventId: String(scheduled),
        startedEventId: String(started),
        identity: 'history-builder',
        retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
      });
    } else {
      push('EVENT_TYPE_ACTIVITY_TASK_COMPLETED', 'activityTaskCompletedEventAttributes', {
        result: { payloads: [payload(step.result ?? null)] },
        scheduledEventId: String(scheduled),
        startedEventId: String(started),
        identity: 'history-builder',
      });
    }
    completedTask = workflowTask();
  }
  push('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', 'workflowExecutionCompletedEventAttributes', {
    result: { payloads: [payload(scenario.result)] },
    workflowTaskCompletedEventId: String(completedTask),
  });
  return { events };
}
