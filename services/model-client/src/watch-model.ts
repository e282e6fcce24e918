// watchModel: polls the app endpoint (conditional requests, so an unchanged model costs one 304)
// and calls onUpdate when the channel serves different bytes than the app has. The interval has a
// floor so that a misconfigured app cannot hammer the server.
import { getModel } from './get-model.ts';
import type { GetModelOptions, Model } from './types.ts';

/** Shortest allowed polling interval: 60 s. */
export const MIN_UPDATE_INTERVAL_MS = 60_000;

export interface WatchModelOptions extends GetModelOptions {
  /** Polling interval, ms; raised to MIN_UPDATE_INTERVAL_MS when smaller (default 1 hour). */
  intervalMs?: number;
  /** SHA-256 of the model the app already uses (e.g. from getModel); without it the first check reports an update. */
  knownSha256?: string;
  onUpdate: (model: Model) => void;
  /** Failed checks (the watcher keeps polling). Default: ignored. */
  onError?: (error: unknown) => void;
}

export interface ModelWatcher {
  /** The interval actually used, ms (after the floor). */
  readonly intervalMs: number;
  /** Checks now, outside the schedule; resolves to the model when it is an update, else undefined. */
  checkNow(): Promise<Model | undefined>;
  stop(): void;
}

export function watchModel(options: WatchModelOptions): ModelWatcher {
  const intervalMs = Math.max(MIN_UPDATE_INTERVAL_MS, options.intervalMs ?? 3_600_000);
  let known = options.knownSha256;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<Model | undefined> | undefined;

  const check = (): Promise<Model | undefined> => {
    running ??= (async () => {
      try {
        const model = await getModel(options);
        if (model.sha256 === known) return undefined;
        known = model.sha256;
        options.onUpdate(model);
        return model;
      } catch (error) {
        options.onError?.(error);
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void check().finally(schedule), intervalMs);
  };
  schedule();
  return {
    intervalMs,
    checkNow: check,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
