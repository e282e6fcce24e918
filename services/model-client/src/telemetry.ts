// Telemetry from the app: collect how the model does on this device (InferenceStats), then send
// one report per session (reportTelemetry). The server keeps only aggregates per candidate and
// device class; the install id is used to rate-limit and is never stored.
import { ModelClientError } from './errors.ts';
import { deviceHeaders, telemetryUrl } from './protocol.ts';
import type { DeviceInfo } from './types.ts';

/** The JSON body of `POST /v1/projects/<projectId>/telemetry`. */
export interface TelemetryReport {
  /** The model's candidate id: `model.metadata.candidateId` (the X-Condense-Candidate header). */
  candidateId: string;
  inferences: number;
  /** Sent together, with inferences > 0. */
  latencyP50Ms?: number;
  latencyP90Ms?: number;
  loadMs?: number;
  failures?: number;
  feedback?: { correct: number; total: number };
}

/** Latencies kept to compute the percentiles: the most recent ones, at most this many. */
export const MAX_LATENCY_SAMPLES = 1024;

/** Collects one session's figures on the device. */
export class InferenceStats {
  private readonly latencies: number[] = [];
  private next = 0;
  private inferences = 0;
  private failures = 0;
  private loadMs: number | undefined;
  private correct = 0;
  private labelled = 0;

  /** One inference that took `ms`. */
  recordInference(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.inferences += 1;
    if (this.latencies.length < MAX_LATENCY_SAMPLES) this.latencies.push(ms);
    else this.latencies[this.next++ % MAX_LATENCY_SAMPLES] = ms;
  }

  recordFailure(): void {
    this.failures += 1;
  }

  /** Time the runtime took to load the model. */
  recordLoad(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.loadMs = ms;
  }

  /** Whether an answer turned out right (e.g. the user confirmed or corrected it). */
  recordFeedback(correct: boolean): void {
    this.labelled += 1;
    if (correct) this.correct += 1;
  }

  /** The report of this session for `candidateId`. */
  toReport(candidateId: string): TelemetryReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      candidateId,
      inferences: this.inferences,
      ...(sorted.length > 0 ? { latencyP50Ms: at(0.5), latencyP90Ms: at(0.9) } : {}),
      ...(this.loadMs !== undefined ? { loadMs: this.loadMs } : {}),
      failures: this.failures,
      ...(this.labelled > 0 ? { feedback: { correct: this.correct, total: this.labelled } } : {}),
    };
  }
}

export interface ReportTelemetryOptions {
  endpoint: string;
  projectId: string;
  appKey: string;
  device?: DeviceInfo;
  report: TelemetryReport;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Sends one report. Resolves when the server counted it; throws ModelClientError otherwise
 * (`HTTP` with the server's message for a refused report or 429 — telemetry is best effort, so
 * apps usually catch and drop it).
 */
export async function reportTelemetry(options: ReportTelemetryOptions): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const res = await doFetch(telemetryUrl(options.endpoint, options.projectId), {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.appKey}`, 'Content-Type': 'application/json', ...deviceHeaders(options.device) },
    body: JSON.stringify(options.report),
    signal: options.signal,
  });
  if (res.status === 202) return;
  let message = `the server answered ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const code = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 404 ? 'NOT_FOUND' : 'HTTP';
  throw new ModelClientError(code, `telemetry refused: ${message}`, { status: res.status });
}
