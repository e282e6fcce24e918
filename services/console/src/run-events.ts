// Folds a run's event stream into what the live page shows (phase, per-candidate progress and
// curves), and keeps it with the last cursor in sessionStorage so a reload resumes the
// subscription after that cursor instead of replaying the run.
export interface LiveEvent {
  cursor: string;
  type: string;
  phase?: string | null;
  candidateKey?: string | null;
  epoch?: number | null;
  step?: number | null;
  loss?: number | null;
  etaSeconds?: number | null;
  samplesPerSecond?: number | null;
  metrics?: unknown;
  data: unknown;
  message?: string | null;
}

export interface CandidateProgress {
  key: string;
  plugin: string | null;
  fraction: number;
  etaSeconds: number | null;
  /** [progress fraction, loss] points */
  loss: [number, number][];
  /** [progress fraction, accuracy] points (from progress metrics, when a plugin reports one) */
  accuracy: [number, number][];
  state: 'running' | 'done' | 'failed';
  message: string | null;
}

export interface LiveState {
  cursor: string | null;
  phase: string | null;
  ended: string | null;
  candidates: CandidateProgress[];
  log: string[];
}

export const emptyLiveState = (): LiveState => ({ cursor: null, phase: null, ended: null, candidates: [], log: [] });

const MAX_POINTS = 400;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function progressFraction(event: LiveEvent, d: Record<string, unknown>): number | undefined {
  const epoch = num(event.epoch) ?? num(d.epoch);
  const epochs = num(d.epochs);
  const step = num(event.step) ?? num(d.step);
  const steps = num(d.steps);
  if (epoch !== undefined && epochs && step !== undefined && steps) return Math.min(1, (epoch - 1 + step / steps) / epochs);
  if (step !== undefined && steps) return Math.min(1, step / steps);
  return undefined;
}

function thin(points: [number, number][]): [number, number][] {
  return points.length > MAX_POINTS ? points.filter((_, i) => i % 2 === 0 || i === points.length - 1) : points;
}

export function applyEvent(state: LiveState, event: LiveEvent): LiveState {
  const d = (event.data && typeof event.data === 'object' ? event.data : {}) as Record<string, unknown>;
  const key = event.candidateKey ?? (typeof d.candidateKey === 'string' ? d.candidateKey : null);
  const next: LiveState = { ...state, cursor: event.cursor };
  const update = (fn: (c: CandidateProgress) => CandidateProgress) => {
    next.candidates = state.candidates.map((c) => (c.key === key ? fn(c) : c));
  };
  switch (event.type) {
    case 'PHASE_CHANGED':
      next.phase = event.phase ?? state.phase;
      next.log = [...state.log, `phase: ${next.phase}`].slice(-50);
      break;
    case 'CANDIDATE_STARTED':
      if (key && !state.candidates.some((c) => c.key === key)) {
        next.candidates = [...state.candidates, { key, plugin: typeof d.plugin === 'string' ? d.plugin : null, fraction: 0, etaSeconds: null, loss: [], accuracy: [], state: 'running', message: null }];
      }
      break;
    case 'CANDIDATE_PROGRESS': {
      const fraction = progressFraction(event, d);
      const metrics = (event.metrics && typeof event.metrics === 'object' ? event.metrics : {}) as Record<string, unknown>;
      const accuracy = num(metrics.accuracy) ?? num(metrics.acc);
      update((c) => {
        const x = fraction ?? c.fraction;
        return {
          ...c,
          plugin: c.plugin ?? (typeof d.plugin === 'string' ? d.plugin : null),
          fraction: x,
          etaSeconds: num(event.etaSeconds) ?? c.etaSeconds,
          loss: event.loss != null ? thin([...c.loss, [x, event.loss]]) : c.loss,
          accuracy: accuracy !== undefined ? thin([...c.accuracy, [x, accuracy]]) : c.accuracy,
        };
      });
      break;
    }
    case 'CANDIDATE_FINISHED':
      update((c) => ({ ...c, fraction: 1, etaSeconds: null, state: d.ok === false ? 'failed' : 'done', message: event.message ?? (typeof d.message === 'string' ? d.message : null) }));
      break;
    case 'RUN_SUCCEEDED':
    case 'RUN_FAILED':
    case 'RUN_CANCELLED':
      next.ended = event.type;
      next.log = [...state.log, event.message ?? event.type.toLowerCase().replace('_', ' ')].slice(-50);
      break;
    case 'LOG':
      if (event.message) next.log = [...state.log, event.message].slice(-50);
      break;
  }
  return next;
}

const storageKey = (runId: string) => `condense.run-events.${runId}`;

/** The stored state of a run (progress only: no secrets), or an empty one. */
export function loadLiveState(runId: string): LiveState {
  try {
    const raw = sessionStorage.getItem(storageKey(runId));
    return raw ? (JSON.parse(raw) as LiveState) : emptyLiveState();
  } catch {
    return emptyLiveState();
  }
}

export function saveLiveState(runId: string, state: LiveState): void {
  try {
    sessionStorage.setItem(storageKey(runId), JSON.stringify(state));
  } catch {
    // storage full or disabled: a reload then replays from the start
  }
}
