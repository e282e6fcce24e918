// Accuracy of an exported text ProjectionNet (.tflite) in TFLite's interpreter: raw texts of a
// dataset split are featurised with `featurizeTexts` and run one sample per invocation.
import type { Dataset, Split } from '../data/types.ts';
import { loadTfliteModel } from '../runtime/tflite-node.ts';
import { featurizeTexts, type TextFeaturizerConfig } from './featurize.ts';

export interface TextTfliteEvaluation {
  accuracy: number;
  samples: number;
  /** Predicted class per sample, in split order. */
  predictions: Int32Array;
}

export async function evaluateTextTflite(bytes: Uint8Array, dataset: Dataset, split: Split, featurizer: TextFeaturizerConfig, options: { limit?: number } = {}): Promise<TextTfliteEvaluation> {
  if (dataset.info.kind !== 'text') throw new Error(`evaluateTextTflite needs a text dataset; this one is '${dataset.info.kind}'`);
  const model = await loadTfliteModel(bytes);
  const classes = dataset.info.numClasses;
  const predictions: number[] = [];
  let correct = 0;
  try {
    for await (const batch of dataset.batches(split, 64, { limit: options.limit })) {
      const x = featurizeTexts(batch.texts ?? [], featurizer);
      const scores = model.predict(x, [batch.size, 2, featurizer.maxFeatures]);
      for (let i = 0; i < batch.size; i++) {
        let best = 0;
        for (let k = 1; k < classes; k++) if (scores[i * classes + k] > scores[i * classes + best]) best = k;
        predictions.push(best);
        if (best === batch.y[i]) correct++;
      }
    }
  } finally {
    model.dispose();
  }
  if (predictions.length === 0) throw new Error(`split '${split}' of the dataset is empty`);
  return { accuracy: correct / predictions.length, samples: predictions.length, predictions: Int32Array.from(predictions) };
}
