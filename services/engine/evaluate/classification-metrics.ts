// Streaming classification metrics from logits (or probabilities) and integer labels.

export interface ClassificationMetrics {
  count: number;
  /** Top-1 accuracy in [0, 1]. */
  accuracy: number;
  topK: { k: number; accuracy: number };
  /** confusion[trueLabel][predictedLabel] = count. */
  confusion: number[][];
  /** Predicted top-1 class per sample, in stream order. */
  predictions: Int32Array;
}

export class ClassificationAccumulator {
  private count = 0;
  private correct = 0;
  private correctTopK = 0;
  private readonly confusion: number[][];
  private predictions: number[] = [];
  readonly k: number;

  constructor(readonly numClasses: number, topK = 5) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
    this.k = Math.max(1, Math.min(topK, numClasses));
    this.confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /** `scores` is row-major [labels.length, numClasses]. */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
    const n = labels.length;
    const c = this.numClasses;
    if (scores.length !== n * c) throw new Error(`scores have ${scores.length} values, expected ${n} samples × ${c} classes`);
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= c) throw new Error(`label ${label} is outside 0..${c - 1}`);
      const base = i * c;
      let best = 0;
      for (let j = 1; j < c; j++) if (scores[base + j] > scores[base + best]) best = j;
      // Rank of the true class = number of classes scoring strictly higher.
      let higher = 0;
      for (let j = 0; j < c; j++) if (scores[base + j] > scores[base + label]) higher++;
      if (best === label) this.correct++;
      if (higher < this.k) this.correctTopK++;
      this.confusion[label][best]++;
      this.predictions.push(best);
      this.count++;
    }
  }

  result(): ClassificationMetrics {
    const div = (a: number) => (this.count ? a / this.count : 0);
    return {
      count: this.count,
      accuracy: div(this.correct),
      topK: { k: this.k, accuracy: div(this.correctTopK) },
      confusion: this.confusion.map((row) => [...row]),
      predictions: Int32Array.from(this.predictions),
    };
  }
}
