import { createPluginHost } from '../services/plugins/index.ts';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { datasetFromArrays } from '../services/engine/data/index.ts';
await initEngine('cpu');
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
const data = datasetFromArrays(new Float32Array(40), new Int32Array(10), [4]);
const h = await createPluginHost({ builtins: false, backend: 'cpu', pluginList: '/work/wt/security/tests/fixtures/plugins/throws.ts' });
const keep = 0;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const r = await h.invoke('fixture-throws', { model, data, onLog: (l) => console.log('log', l.message) });
  console.log(i, r.failures, performance.now() - t);
  await new Promise((r) => setTimeout(r, 2000));
}

await h.close();
