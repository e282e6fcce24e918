// Accuracy of an exported text ProjectionNet (.tflite) in TFLite's interpreter: raw texts of a
// dataset split are featurised with `featurizeTexts` and run one sample per invocation.
import type { Dataset, Split } from '../data/types.ts';
import { loadTfliteModel } from '../runtime/tflite-node.ts';
import { ClassificationAccumulator } from '../evaluate/classification-metrics.ts';
import { featurizeTexts, type TextFeaturizerConfig } from '../../../plugins/sdk/src/text/index.ts';

export interface TextTfliteEvaluation {
  accuracy: number;
  samples: number;
  /** Predicted class per sample, in split order. */
  predictions: Int32Array;
  /** Two classes only: ROC AUC. */
  auc?: number;
}

export async function evaluateTextTflite(bytes: Uint8Array, dataset: Dataset, split: Split, featurizer: TextFeaturizerConfig, options: { limit?: number } = {}): Promise<TextTfliteEvaluation> {
  if (dataset.info.kind !== 'text') throw new Error(`evaluateTextTflite needs a text dataset; this one is '${dataset.info.kind}'`);
  const model = await loadTfliteModel(bytes);
  const metrics = new ClassificationAccumulator(dataset.info.numClasses, 1);
  try {
    for await (const batch of dataset.batches(split, 64, { limit: options.limit })) {
      const x = featurizeTexts(batch.texts ?? [], featurizer);
      metrics.add(model.predict(x, [batch.size, 2, featurizer.maxFeatures]), batch.y);
    }
  } finally {
    model.dispose();
  }
  const result = metrics.result();
  if (result.count === 0) throw new Error(`split '${split}' of the dataset is empty`);
  return { accuracy: result.accuracy, samples: result.count, predictions: result.predictions, ...(result.auc === undefined ? {} : { auc: result.auc }) };
}
