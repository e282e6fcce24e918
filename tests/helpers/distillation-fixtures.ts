// What the distillation plugin's tests share: a small learnable image task and a plugin context
// that runs the plugin's functions in this process (the host's real training helpers, no sandbox).
import type { PluginContext, ProgressUpdate } from '@condense/plugin-sdk';
import { tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays, type Dataset } from '../../services/engine/data/index.ts';
import { createTrainingHelpers } from '../../services/plugins/worker/training.ts';

/** 8×8 one-channel images of 4 classes: which quadrant is bright (learnable by a small CNN). */
export function quadrants(n: number, seed = 1): Dataset {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    const qy = (y[i] >> 1) * 4;
    const qx = (y[i] & 1) * 4;
    for (let p = 0; p < 64; p++) {
      const [py, px] = [p >> 3, p & 7];
      x[i * 64 + p] = r() * 0.6 + (py >= qy && py < qy + 4 && px >= qx && px < qx + 4 ? 0.4 : 0);
    }
  }
  return datasetFromArrays(x, y, [8, 8, 1], { seed: 3 });
}

export type LocalContext = Pick<PluginContext, 'tf' | 'train' | 'data' | 'progress' | 'log' | 'signal'>;

/** A plugin context over `data`; `logs` collects info and warning lines and `progress` the progress updates. */
export function localContext(data: Dataset, logs: string[] = [], progress: ProgressUpdate[] = []): LocalContext {
  const signal = new AbortController().signal;
  const quiet = () => undefined;
  const pd = data as unknown as PluginContext['data'];
  return {
    tf,
    data: pd,
    train: createTrainingHelpers({ data: pd, signal, progress: quiet }),
    progress: (update) => progress.push(update),
    log: { debug: quiet, info: (message) => logs.push(message), warn: (message) => logs.push(message), error: quiet },
    signal,
  };
}
