// Streaming classification metrics from logits (or probabilities) and integer labels. A binary
// classifier may give one score per sample (its P(class 1), from one sigmoid unit): class 1 is
// predicted when it exceeds 0.5, and the area under the ROC curve is reported for every
// two-class problem.

export interface ClassificationMetrics {
  count: number;
  /** Top-1 accuracy in [0, 1]. */
  accuracy: number;
  topK: { k: number; accuracy: number };
  /** confusion[trueLabel][predictedLabel] = count. */
  confusion: number[][];
  /** Predicted top-1 class per sample, in stream order. */
  predictions: Int32Array;
  /** Two classes only: area under the ROC curve of the class-1 score (ties count half). */
  auc?: number;
}

/** Threshold a one-unit (sigmoid) binary output is read with. */
export const BINARY_THRESHOLD = 0.5;

export class ClassificationAccumulator {
  private count = 0;
  private correct = 0;
  private correctTopK = 0;
  private readonly confusion: number[][];
  private predictions: number[] = [];
  /** Two classes: the class-1 score and the label of every sample, for the AUC. */
  private readonly binaryScores: number[] = [];
  private readonly binaryLabels: number[] = [];
  readonly k: number;

  constructor(readonly numClasses: number, topK = 5) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
    this.k = Math.max(1, Math.min(topK, numClasses));
    this.confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /** `scores` is row-major [labels.length, numClasses], or [labels.length] of P(class 1) when there are two classes. */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
    const n = labels.length;
    const c = this.numClasses;
    const single = c === 2 && scores.length === n;
    if (!single && scores.length !== n * c) throw new Error(`scores have ${scores.length} values, expected ${n} samples × ${c} classes`);
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= c) throw new Error(`label ${label} is outside 0..${c - 1}`);
      let best = 0;
      let higher = 0;
      if (single) {
        best = scores[i] > BINARY_THRESHOLD ? 1 : 0;
        higher = best === label ? 0 : 1;
      } else {
        const base = i * c;
        for (let j = 1; j < c; j++) if (scores[base + j] > scores[base + best]) best = j;
        // Rank of the true class = number of classes scoring strictly higher.
        for (let j = 0; j < c; j++) if (scores[base + j] > scores[base + label]) higher++;
      }
      if (c === 2) {
        // Any score monotonic in P(class 1) gives the same AUC: the margin works for logits and probabilities.
        this.binaryScores.push(single ? scores[i] : scores[i * 2 + 1] - scores[i * 2]);
        this.binaryLabels.push(label);
      }
      if (best === label) this.correct++;
      if (higher < this.k) this.correctTopK++;
      this.confusion[label][best]++;
      this.predictions.push(best);
      this.count++;
    }
  }

  result(): ClassificationMetrics {
    const div = (a: number) => (this.count ? a / this.count : 0);
    const auc = this.numClasses === 2 ? rocAuc(this.binaryScores, this.binaryLabels) : undefined;
    return {
      count: this.count,
      accuracy: div(this.correct),
      topK: { k: this.k, accuracy: div(this.correctTopK) },
      confusion: this.confusion.map((row) => [...row]),
      predictions: Int32Array.from(this.predictions),
      ...(auc === undefined ? {} : { auc }),
    };
  }
}

/** ROC AUC by the Mann–Whitney statistic: P(score of a positive > score of a negative), ties ½.
 * Undefined when one class is absent. */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number | undefined {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
