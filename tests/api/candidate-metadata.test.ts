// Candidate.metadata: the standard TFLite metadata read from the candidate's stored .tflite file.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, type TfliteMetadata } from '../../services/engine/export/index.ts';
import { ok } from './harness.ts';
import { startPublished, type Published } from '../model-client/published.ts';

const META: TfliteMetadata = {
  name: 'iris', version: 'v3+int8', description: 'Flower classifier', author: 'Condense', license: '',
  input: { name: 'features', description: 'Features, shape [4]', colorSpace: null, normalization: null },
  output: { description: 'Score (logit) of each class; the largest is the prediction', kind: 'logits', labels: ['setosa', 'versicolor', 'virginica'] },
};

let p: Published;
before(async () => {
  p = await startPublished();
  await initEngine('wasm');
});
after(async () => p?.h.close());

it('shows the metadata embedded in the file; null for a file without', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
  const tagged = await p.addCandidate('tagged', (await exportTflite(model, { quantization: 'float32', metadata: META })).bytes);
  const plain = await p.addCandidate('plain', (await exportTflite(model, { quantization: 'float32' })).bytes);
  const query = `query($id: ID!) { node(id: $id) { ... on Candidate { metadata { name version description author
    input { name description colorSpace normalization { mean std } } output { kind description labels } } } } }`;
  const got = (await ok(p.h.server, p.h.a.ownerKey, query, { id: tagged.id })).node.metadata;
  assert.deepEqual(got, { name: 'iris', version: 'v3+int8', description: 'Flower classifier', author: 'Condense', input: META.input, output: META.output });
  assert.equal((await ok(p.h.server, p.h.a.ownerKey, query, { id: plain.id })).node.metadata, null);
});
