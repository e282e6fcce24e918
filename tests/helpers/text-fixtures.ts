// Text fixtures shared by the text-run tests: JSONL mails over a made-up vocabulary (spam draws most
// of its words from the upper half), the Keras tokenizer.json that covers it, and a trained
// Embedding(mask_zero) → GlobalAveragePooling1D → Dense(1, sigmoid) model as a TF.js layers zip.
import { tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { exportTfjsLayers } from '../../services/engine/export/index.ts';
import { MaskedGlobalAveragePooling1D } from '../../services/engine/layers/masked-pooling.ts';
import { parseKerasTokenizer, tokenizedDataset } from '../../services/engine/text/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { writeZip } from './fixtures-data.ts';

export const WORDS = 200;
export const STEPS = 16;

/** JSONL mails: "spam" texts draw 85% of their words from the upper half of the vocabulary. */
export function mails(n: number, seed = 11): Uint8Array {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const spam = i % 2 === 1;
    const words = Array.from({ length: 3 + Math.floor(r() * 12) }, () => {
      const upper = r() < (spam ? 0.85 : 0.15);
      return `w${2 + Math.floor(r() * (WORDS / 2 - 2)) + (upper ? WORDS / 2 : 0)}`;
    });
    lines.push(JSON.stringify({ text: `${words.join(' ')}${r() < 0.3 ? ' unseenword!' : ''}`, label: spam ? 'spam' : 'ham' }));
  }
  return new TextEncoder().encode(lines.join('\n'));
}

/** What Keras' tokenizer.to_json() writes (word_index as a JSON string), plus the padding mode. */
export const tokenizerJson = JSON.stringify({
  class_name: 'Tokenizer',
  config: {
    num_words: null, filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', lower: true, split: ' ', char_level: false, oov_token: '<OOV>',
    word_index: JSON.stringify(Object.fromEntries([['<OOV>', 1], ...Array.from({ length: WORDS - 2 }, (_, k) => [`w${k + 2}`, k + 2])])),
  },
  padding: 'post',
});

export const padding = { length: STEPS, padding: 'post' as const };

/** A user-style text classifier trained on `data`, zipped with its tokenizer.json as a user uploads it. */
export async function textModelZip(data: Uint8Array, options: { epochs?: number } = {}): Promise<Uint8Array> {
  const tokenizer = parseKerasTokenizer(tokenizerJson);
  const train = tokenizedDataset(await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 }), tokenizer, padding);
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: WORDS, outputDim: 8, inputLength: STEPS, maskZero: true, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
      new MaskedGlobalAveragePooling1D({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  await fit(model, train, { epochs: options.epochs ?? 8, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } });
  const { modelJson, weights } = await exportTfjsLayers(model);
  model.dispose();
  return writeZip({ 'model.json': JSON.stringify(modelJson), 'weights.bin': weights, 'tokenizer.json': tokenizerJson });
}
