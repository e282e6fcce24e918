// Does a classifier's output fit a dataset's classes? One output unit per class, or — for two
// classes — one sigmoid unit giving P(class 1) (the dataset's second label, in its label order).
import type { tf } from '../backend/index.ts';
import { isSigmoidBinary, lastActivation } from '../train/output-kind.ts';

/** Undefined when the model's output fits `numClasses`; otherwise a one-line reason naming both counts. */
export function checkClassCount(model: tf.LayersModel, numClasses: number): string | undefined {
  const width = model.outputs[0]?.shape.at(-1);
  if (width === numClasses) return undefined;
  if (width === 1) {
    if (!isSigmoidBinary(model)) {
      return `the model has 1 output unit without a sigmoid (activation ${lastActivation(model) ?? 'none'}); a one-unit binary classifier must end in a sigmoid`;
    }
    if (numClasses === 2) return undefined;
    return `the model has 1 sigmoid output (a binary classifier, 2 classes) but the dataset has ${numClasses} classes`;
  }
  return `model predicts ${width ?? '?'} classes but the dataset has ${numClasses}`;
}
