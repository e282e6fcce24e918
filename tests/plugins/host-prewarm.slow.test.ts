// Spare workers: after an invocation the host loads the engine in the next worker ahead of time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';
import { createPluginHost, type LogEntry } from '../../services/plugins/index.ts';

const plugin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins/throws.ts');
const data = datasetFromArrays(new Float32Array(40), new Int32Array(10), [4]);
let model: tf.LayersModel;

before(async () => {
  await initEngine('cpu');
  model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** When the worker that ran the plugin started, relative to the invoke call (negative: before it). */
async function workerStartRelativeToInvoke(host: Awaited<ReturnType<typeof createPluginHost>>, memoryLimitMb = 4096): Promise<number> {
  const logs: LogEntry[] = [];
  const invokedAt = performance.timeOrigin + performance.now();
  const r = await host.invoke('fixture-throws', { model, data, memoryLimitMb, onLog: (l) => logs.push(l) });
  assert.equal(r.failures[0]?.reason, 'threw');
  const startedAt = logs.find((l) => l.message === 'worker')?.fields?.startedAt as number;
  return startedAt - invokedAt;
}

describe('spare workers', () => {
  it('the next invocation runs in a worker started (and warmed) before it was called', async () => {
    const host = await createPluginHost({ builtins: false, backend: 'cpu', pluginList: plugin });
    try {
      assert.ok(await workerStartRelativeToInvoke(host) > 0, 'the first invocation starts its own worker');
      await pause(2000); // as between the steps of a run: the spare boots meanwhile
      assert.ok(await workerStartRelativeToInvoke(host) < 0, 'the second uses the spare');
      // Other limits need another worker: the spare is not reused for them.
      assert.ok(await workerStartRelativeToInvoke(host, 2048) > 0);
    } finally {
      await host.close();
    }
  });

  it('can be turned off', async () => {
    const host = await createPluginHost({ builtins: false, backend: 'cpu', pluginList: plugin, prewarm: false });
    assert.ok(await workerStartRelativeToInvoke(host) > 0);
    await pause(2000);
    assert.ok(await workerStartRelativeToInvoke(host) > 0);
  });
});
