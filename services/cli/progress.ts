// Live progress of a run in the terminal, read from the run's event timeline (the same events
// the API streams to subscribers): one bar for the run, one per candidate while it trains. On a
// non-interactive output it prints one line per phase change and finished candidate instead.
import cliProgress from 'cli-progress';
import type { Kysely } from 'kysely';
import { withTenant } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import { listRunEvents } from '../events/store.ts';
import type { RunEvent } from '../events/types.ts';

export interface ProgressWatcher {
  /** Reads the remaining events, draws them and stops drawing. */
  stop(): Promise<void>;
}

export function watchRunProgress(db: Kysely<DB>, orgId: string, runId: string, out: NodeJS.WriteStream = process.stderr): ProgressWatcher {
  const tty = Boolean(out.isTTY);
  const multibar = tty
    ? new cliProgress.MultiBar(
        {
          stream: out,
          format: ' {label} |{bar}| {value}/{total} {info}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          autopadding: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let runBar: cliProgress.SingleBar | null = null;
  const candidateBars = new Map<string, cliProgress.SingleBar>();
  let phase = 'queued';
  let total = 0;
  let finished = 0;
  const line = (text: string) => (multibar ? multibar.log(`${text}\n`) : out.write(`${text}\n`));

  const apply = (e: RunEvent) => {
    const p = e.payload;
    switch (e.type) {
      case 'PHASE_CHANGED':
        phase = String(p.phase ?? phase);
        if (!multibar) line(`phase: ${phase}`);
        break;
      case 'CANDIDATE_STARTED': {
        const key = String(p.candidateKey);
        total = Math.max(total, finished + 1);
        if (multibar) candidateBars.set(key, multibar.create(1, 0, { label: key, info: 'starting' }));
        else line(`candidate ${key}: started`);
        break;
      }
      case 'CANDIDATE_PROGRESS': {
        const bar = candidateBars.get(String(p.candidateKey));
        if (bar && typeof p.step === 'number') {
          if (typeof p.steps === 'number' && p.steps > 0) bar.setTotal(p.steps);
          const bits = [
            typeof p.loss === 'number' ? `loss ${p.loss.toFixed(4)}` : null,
            typeof p.samplesPerSecond === 'number' ? `${Math.round(p.samplesPerSecond)} samples/s` : null,
            typeof p.etaSeconds === 'number' ? `eta ${Math.round(p.etaSeconds)}s` : null,
          ].filter(Boolean);
          bar.update(p.step, { info: bits.join(' · ') || String(p.message ?? '') });
        }
        break;
      }
      case 'CANDIDATE_FINISHED': {
        finished += 1;
        const key = String(p.candidateKey);
        const bar = candidateBars.get(key);
        if (bar) {
          bar.update(bar.getTotal(), { info: p.ok === false ? `failed: ${String(p.message ?? '')}` : 'done' });
          bar.stop();
        } else line(`candidate ${key}: ${p.ok === false ? `failed: ${String(p.message ?? '')}` : 'done'}`);
        break;
      }
      case 'RUN_SUCCEEDED':
      case 'RUN_FAILED':
      case 'RUN_CANCELLED':
        phase = e.type === 'RUN_SUCCEEDED' ? 'succeeded' : e.type === 'RUN_FAILED' ? `failed${p.message ? `: ${String(p.message)}` : ''}` : 'cancelled';
        if (!multibar) line(`run ${phase}`);
        break;
      default:
        break;
    }
    if (multibar) {
      runBar ??= multibar.create(1, 0, { label: 'run', info: phase });
      runBar.setTotal(Math.max(total, 1));
      runBar.update(finished, { info: `phase: ${phase}` });
    }
  };

  let after = 0;
  let stopped = false;
  const poll = async () => {
    const events = await withTenant(db, orgId, (trx) => listRunEvents(trx, runId, after, 500));
    for (const e of events) {
      after = e.seq;
      apply(e);
    }
  };
  let timer: NodeJS.Timeout | null = null;
  const loop = () => {
    timer = setTimeout(() => {
      poll()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) loop();
        });
    }, 300);
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await poll().catch(() => undefined);
      multibar?.stop();
    },
  };
}
