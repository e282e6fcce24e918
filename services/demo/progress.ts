// Live display of a run from its runEvents: an overall bar (candidates finished / started) and
// one bar per training candidate on a terminal; plain lines otherwise (CI logs, pipes).
import cliProgress from 'cli-progress';
import type { RunEventView } from './flow.ts';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class RunProgressDisplay {
  private readonly multibar: cliProgress.MultiBar | null;
  private readonly overall: cliProgress.SingleBar | null;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private started = 0;
  private finished = 0;
  private phase = 'queued';

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.multibar = stream.isTTY
      ? new cliProgress.MultiBar(
          { stream, format: ' {label} |{bar}| {percentage}% {info}', barsize: 20, hideCursor: true, clearOnComplete: false, autopadding: true, fps: 5 },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.overall = this.multibar?.create(1, 0, { label: 'run'.padEnd(34), info: 'queued' }) ?? null;
  }

  private line(text: string): void {
    if (this.multibar) this.multibar.log(`${text}\n`);
    else this.stream.write(`  ${text}\n`);
  }

  private updateOverall(): void {
    this.overall?.setTotal(Math.max(1, this.started));
    this.overall?.update(this.finished, { info: `${this.phase}: ${this.finished}/${this.started} candidates done` });
  }

  apply(event: RunEventView): void {
    const d = event.data ?? {};
    const key = event.candidateKey ?? (typeof d.candidateKey === 'string' ? d.candidateKey : '');
    switch (event.type) {
      case 'RUN_STARTED':
        this.line('run started');
        break;
      case 'PHASE_CHANGED':
        this.phase = event.phase ?? this.phase;
        this.line(`phase: ${this.phase}`);
        break;
      case 'CANDIDATE_STARTED':
        this.started++;
        if (this.multibar) this.bars.set(key, this.multibar.create(100, 0, { label: key.padEnd(34).slice(0, 34), info: 'starting' }));
        else this.line(`candidate ${key}: started`);
        break;
      case 'CANDIDATE_PROGRESS': {
        // A plan step finished: say which models one call produced and how many candidates use
        // them (distillation: every student from one joint training loop).
        if (Array.isArray(d.outputs) && typeof d.stepId === 'string') {
          const users = Array.isArray(d.sharedBy) ? d.sharedBy.length : 1;
          const how = d.source === 'ran' ? 'one training call' : 'found finished';
          this.line(`step ${d.stepId} (${String(d.plugin)}): ${how} → ${d.outputs.join(', ')}; used by ${users} candidate(s)`);
        }
        const bar = this.bars.get(key);
        if (!bar) break;
        const epoch = num(event.epoch) ?? num(d.epoch);
        const epochs = num(d.epochs);
        const step = num(event.step) ?? num(d.step);
        const steps = num(d.steps);
        let fraction: number | undefined;
        if (epoch !== undefined && epochs && step !== undefined && steps) fraction = (epoch - 1 + step / steps) / epochs;
        else if (step !== undefined && steps) fraction = step / steps;
        const info = [
          typeof d.plugin === 'string' ? d.plugin : null,
          epoch !== undefined ? `epoch ${epoch}${epochs ? `/${epochs}` : ''}` : null,
          event.loss != null ? `loss ${event.loss.toFixed(3)}` : null,
          event.samplesPerSecond != null ? `${Math.round(event.samplesPerSecond)}/s` : null,
        ].filter(Boolean).join(' ');
        bar.update(fraction !== undefined ? Math.min(100, Math.round(fraction * 100)) : bar.getProgress() * 100, { info });
        break;
      }
      case 'CANDIDATE_FINISHED': {
        this.finished++;
        const bar = this.bars.get(key);
        const summary = d.ok === false ? `failed: ${event.message ?? String(d.message ?? '')}` : 'done';
        if (bar) {
          bar.update(100, { info: summary });
          bar.stop();
        }
        // Details (accuracy, size) follow through describe() once fetched; failures are reported now.
        if (!this.multibar && d.ok === false) this.line(`candidate ${key}: ${summary}`);
        break;
      }
      case 'RUN_SUCCEEDED':
        this.phase = 'succeeded';
        this.line('run succeeded');
        break;
      case 'RUN_FAILED':
      case 'RUN_CANCELLED':
        this.phase = event.type === 'RUN_FAILED' ? 'failed' : 'cancelled';
        this.line(`run ${this.phase}${event.message ? `: ${event.message}` : ''}`);
        break;
      default:
        break;
    }
    this.updateOverall();
  }

  /** Shows what a finished candidate achieved (fetched separately: CANDIDATE_FINISHED carries ids only). */
  describe(key: string, text: string): void {
    const bar = this.bars.get(key);
    if (bar) bar.update(100, { info: text });
    else this.line(`candidate ${key}: ${text}`);
  }

  stop(): void {
    this.multibar?.stop();
  }
}
