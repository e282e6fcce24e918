// Host latency of a .tflite model in the TFLite wasm interpreter at batch 1.
import { loadTfliteModel } from './tflite-node.ts';

export interface LatencyStats {
  medianMs: number;
  p90Ms: number;
  runs: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

/** Times `runs` single-sample inferences after `warmup` untimed ones (inputs are a fixed pseudo-random sample). */
export async function measureHostLatency(bytes: Uint8Array, options: { runs?: number; warmup?: number } = {}): Promise<LatencyStats> {
  const runs = options.runs ?? 50;
  const warmup = options.warmup ?? 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const model = await loadTfliteModel(bytes);
  try {
    const shape = [1, ...model.inputs[0].shape.slice(1)];
    const input = new Float32Array(shape.reduce((a, b) => a * b, 1));
    let seed = 12345;
    for (let i = 0; i < input.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      input[i] = seed / 2 ** 32;
    }
    for (let i = 0; i < warmup; i++) model.predict(input, shape);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      model.predict(input, shape);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9), runs };
  } finally {
    model.dispose();
  }
}
