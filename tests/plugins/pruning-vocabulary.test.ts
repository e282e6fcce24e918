// Vocabulary pruning (pruning plugin, mode 'vocabulary') and the host side that reads a pruned model's
// texts: counting ids, choosing the rows, the truncated table, and the dataset re-tokenized with
// num_words = rows (Keras' rule: ids ≥ num_words become the OOV id).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginContext } from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { embeddingRowsOfModel, parseKerasTokenizer, tokenizedDataset, tokenizeTexts, withVocabularyRows, frontEndOfDataset } from '../../services/engine/text/index.ts';
import { countTokenIds, rowsForCoverage, truncateVocabulary } from '../../plugins/pruning/src/vocabulary.ts';
import { mails, padding, tokenizerJson, WORDS } from '../helpers/text-fixtures.ts';

describe('vocabulary pruning', () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('keeps the fewest leading ids that reach the coverage (padding not counted, OOV kept)', () => {
    // ids: 0 (padding, ignored), 1: 5, 2: 3, 3: 1, 4: 1 → total 10
    const counts = Float64Array.from([100, 5, 3, 1, 1]);
    assert.deepEqual(rowsForCoverage(counts, 0.5), { rows: 2, covered: 0.5 });
    assert.deepEqual(rowsForCoverage(counts, 0.8), { rows: 3, covered: 0.8 });
    assert.deepEqual(rowsForCoverage(counts, 0.85), { rows: 4, covered: 0.9 });
    assert.deepEqual(rowsForCoverage(counts, 1), { rows: 5, covered: 1 });
    assert.equal(rowsForCoverage(Float64Array.from([0, 0, 0]), 0.9).rows, 3);
  });

  it('counts the training split, truncates the table and reads the texts with num_words = rows', async () => {
    const tokenizer = parseKerasTokenizer(tokenizerJson);
    const data = tokenizedDataset(await openDataset({ bytes: mails(300, 5), filename: 'mail.jsonl' }, { seed: 1 }), tokenizer, padding);
    const counts = await countTokenIds({ data, signal: new AbortController().signal } as unknown as PluginContext, WORDS);
    let tokens = 0;
    for await (const b of data.batches('train', 64)) tokens += b.x!.filter((v) => v > 0).length;
    assert.equal(counts.reduce((a, b) => a + b, 0), tokens);

    const model = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: WORDS, outputDim: 4, inputLength: padding.length, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 4 }) }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    const rows = 120;
    const pruned = await truncateVocabulary(tf, model, model.layers[0].name, rows);
    assert.equal(embeddingRowsOfModel(pruned), rows);
    assert.deepEqual(pruned.layers[0].getWeights()[0].shape, [rows, 4]);
    assert.deepEqual(pruned.layers[0].getWeights()[0].dataSync(), model.layers[0].getWeights()[0].slice([0, 0], [rows, 4]).dataSync());

    // The pruned model's view of the data: ids ≥ rows read as the OOV id (1), the rest unchanged.
    const view = withVocabularyRows(data, rows);
    const viewed = frontEndOfDataset(view)!;
    assert.equal(viewed.kind === 'keras-tokenizer' && viewed.tokenizer.numWords, rows);
    let changed = 0;
    const original = data.batches('test', 32)[Symbol.asyncIterator]();
    for await (const b of view.batches('test', 32)) {
      const before = (await original.next()).value!.x!;
      assert.deepEqual(b.x, tokenizeTexts(b.texts!, { ...tokenizer, numWords: rows }, padding));
      b.x!.forEach((id, i) => {
        assert.ok(id < rows);
        assert.equal(id, before[i] >= rows ? 1 : before[i]);
        if (before[i] >= rows) changed++;
      });
    }
    assert.ok(changed > 0, 'some test ids were ≥ rows');
    // The same model and the same rows: the dataset itself.
    assert.equal(withVocabularyRows(data, WORDS), data);
    // Both models predict the same where no id is ≥ rows.
    const x = tf.tensor2d([[2, 3, 50, 119, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
    assert.deepEqual((pruned.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync());
  });
});
