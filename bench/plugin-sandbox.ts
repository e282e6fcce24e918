// What the plugin sandbox costs: the same PluginHost the runner uses (services/plugins), wasm
// backend, built-in plugins off, two test plugins from tests/fixtures/plugins/.
//   describe — loading a plugin (bundle + a throwaway sandboxed process reading its manifest);
//   cold     — an invocation that starts its own process (spare turned off);
//   warm     — an invocation served by the spare process started after the previous one;
//   good     — the well-behaved fixture plugin end to end (data over IPC, training, candidates back),
//              with the peak resident memory of its process.
// The LAST line printed is one JSON object with the medians (ms) and the sandbox mechanisms in force.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { datasetFromArrays } from '../services/engine/data/index.ts';
import { createPluginHost } from '../services/plugins/index.ts';
import { sandboxCapabilities } from '../services/plugins/sandbox.ts';

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/plugins/', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

await initEngine('wasm');
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
const n = 96;
const data = datasetFromArrays(new Float32Array(n * 4).map((_, i) => Math.sin(i)), new Int32Array(n).map((_, i) => i % 3), [4]);
const list = ['throws.ts', 'good'].map((f) => path.join(FIXTURES, f)).join(',');

const describeMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const started = performance.now();
  const host = await createPluginHost({ builtins: false, backend: 'wasm', pluginList: list, prewarm: false });
  describeMs.push((performance.now() - started) / 2);
  await host.close();
}

async function invocations(prewarm: boolean): Promise<number[]> {
  const host = await createPluginHost({ builtins: false, backend: 'wasm', pluginList: list, prewarm });
  const times: number[] = [];
  try {
    for (let i = 0; i <= ROUNDS; i++) {
      const started = performance.now();
      const r = await host.invoke('fixture-throws', { model, data });
      if (r.failures[0]?.reason !== 'threw') throw new Error(`unexpected outcome ${JSON.stringify(r.failures)}`);
      if (i > 0) times.push(performance.now() - started); // the first one has no spare either way
      await pause(3000); // as between the steps of a run: a spare boots meanwhile
    }
  } finally {
    await host.close();
  }
  return times;
}
const cold = await invocations(false);
const warm = await invocations(true);

const host = await createPluginHost({ builtins: false, backend: 'wasm', pluginList: list });
const goodMs: number[] = [];
let peakMb = 0;
for (let i = 0; i < ROUNDS; i++) {
  const started = performance.now();
  const r = await host.invoke('fixture-good', { model, data, config: { sparsity: 0.5 } });
  if (r.failures.length || r.candidates.length !== 2) throw new Error(`good plugin failed: ${JSON.stringify(r.failures)}`);
  goodMs.push(performance.now() - started);
  peakMb = Math.max(peakMb, r.peakMemoryBytes / 2 ** 20);
  await pause(3000);
}
await host.close();

const result = {
  describe_ms: Math.round(median(describeMs)),
  cold_invoke_ms: Math.round(median(cold)),
  warm_invoke_ms: Math.round(median(warm)),
  good_plugin_ms: Math.round(median(goodMs)),
  plugin_process_peak_rss_mb: Math.round(peakMb),
  rounds: ROUNDS,
  sandbox: sandboxCapabilities(),
};
console.log(`describe ${result.describe_ms} ms/plugin, cold invoke ${result.cold_invoke_ms} ms, warm invoke ${result.warm_invoke_ms} ms, good plugin ${result.good_plugin_ms} ms (peak RSS ${result.plugin_process_peak_rss_mb} MiB)`);
console.log(JSON.stringify(result));
