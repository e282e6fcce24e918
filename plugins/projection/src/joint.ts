// ProjectionNet joint training (Ravi 2017, "ProjectionNet: Learning Efficient On-Device Deep
// Networks Using Neural Projections", arXiv 1708.00630): one optimizer updates the trainer
// network θ and the projection network p together on
//   L = CE(trainer, y) + CE(projection, y) + λ·T²·CE(softmax(trainer/T), softmax(projection/T)),
// the distillation term pulling the small network toward the trainer's soft predictions (its
// targets are the trainer's current outputs, treated as constants). Several projection networks
// of different sizes train beside one trainer (their losses summed): a network of T' < T hash
// functions reads the first T'·d bits, which are exactly the bits of its own T'×d projection
// (seeds 0..T'·d−1 are a prefix of 0..T·d−1).
import type { LayersModel, PluginContext, Tensor } from '@condense/plugin-sdk';
import type { PreparedSplit } from './data.ts';

/** One projection network and how many of the projected bits (a prefix) it reads. */
export interface ProjectionHead {
  model: LayersModel;
  width: number;
}

export interface JointOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  distillationWeight: number;
  temperature: number;
  /** Whether the trainer outputs logits (false: probabilities, e.g. a softmax head). */
  trainerFromLogits: boolean;
  trainerShape: number[];
  seed: number;
  candidate: string;
}

function shuffled(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Accuracy of a model on rows of a prepared split (`which`: a projection head reading the first
 * `shape[0]` bits, or the trainer). */
export function accuracyOn(ctx: PluginContext, model: LayersModel, data: PreparedSplit, which: 'bits' | 'trainer', shape: number[]): number {
  const { tf } = ctx;
  if (data.size === 0) return NaN;
  let correct = 0;
  for (let start = 0; start < data.size; start += 512) {
    const end = Math.min(data.size, start + 512);
    correct += tf.tidy(() => {
      const width = which === 'bits' ? data.bits.length / data.size : data.trainerX.length / data.size;
      const src = which === 'bits' ? data.bits : data.trainerX;
      let x = tf.tensor(src.subarray(start * width, end * width), [end - start, ...(which === 'bits' ? [width] : shape)]);
      if (which === 'bits' && shape[0] < width) x = tf.slice(x, [0, 0], [end - start, shape[0]]);
      const pred = tf.argMax(model.predict(x) as Tensor, -1);
      return tf.sum(tf.cast(tf.equal(pred, tf.tensor1d(data.y.subarray(start, end), 'int32')), 'int32')).dataSync()[0];
    });
  }
  return correct / data.size;
}

export async function trainJointly(ctx: PluginContext, trainer: LayersModel, heads: ProjectionHead[], train: PreparedSplit, validation: PreparedSplit, o: JointOptions): Promise<{ history: Array<Record<string, number>> }> {
  const { tf } = ctx;
  const width = train.bits.length / Math.max(train.size, 1);
  const tWidth = o.trainerShape.reduce((a, b) => a * b, 1);
  const optimizer = ctx.train.createOptimizer({ name: 'adam', learningRate: o.learningRate });
  const variables = [...trainer.trainableWeights, ...heads.flatMap((h) => h.model.trainableWeights)].map((w) => w.read() as unknown as ReturnType<typeof tf.variable>);
  const ce = ctx.train.losses.sparseCategoricalCrossEntropy;
  const T = o.temperature;
  const steps = Math.ceil(train.size / o.batchSize);
  const history: Array<Record<string, number>> = [];
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = shuffled(train.size, o.seed + epoch);
      let lossSum = 0;
      const started = Date.now();
      for (let step = 0; step < steps; step++) {
        if (ctx.signal.aborted) throw new Error('cancelled');
        const idx = order.subarray(step * o.batchSize, Math.min(train.size, (step + 1) * o.batchSize));
        const b = idx.length;
        const bits = new Float32Array(b * width);
        const tx = new Float32Array(b * tWidth);
        const y = new Int32Array(b);
        idx.forEach((row, k) => {
          bits.set(train.bits.subarray(row * width, (row + 1) * width), k * width);
          tx.set(train.trainerX.subarray(row * tWidth, (row + 1) * tWidth), k * tWidth);
          y[k] = train.y[row];
        });
        const loss = tf.tidy(() => {
          const bx = tf.tensor2d(bits, [b, width]);
          const tX = tf.tensor(tx, [b, ...o.trainerShape]);
          const ys = tf.tensor1d(y, 'int32');
          // Soft targets from the trainer's current state (constants for the distillation term).
          const teacherOut = trainer.apply(tX, { training: false }) as Tensor;
          return optimizer.minimize(() => {
            const tOut = trainer.apply(tX, { training: true }) as Tensor;
            const terms: Tensor[] = [ce(tOut, ys, o.trainerFromLogits)];
            for (const head of heads) {
              const input = head.width < width ? tf.slice(bx, [0, 0], [b, head.width]) : bx;
              const pLogits = head.model.apply(input, { training: true }) as Tensor;
              // T²·KL(trainer_T ‖ projection_T): the cross-entropy term's gradient (they differ by the
              // trainer's entropy, a constant here); a one-unit sigmoid trainer gives binary soft targets.
              const distill = ctx.train.losses.distillation(pLogits, teacherOut, ys, { temperature: T, alpha: 0, studentFromLogits: true, teacherFromLogits: o.trainerFromLogits });
              terms.push(ce(pLogits, ys, true), tf.mul(distill, o.distillationWeight) as Tensor);
            }
            return tf.addN(terms) as never;
          }, true, variables)!.dataSync()[0];
        });
        lossSum += loss;
        if (step % 20 === 0 || step === steps - 1) {
          const done = (epoch - 1) * steps + step + 1;
          const rate = ((step + 1) * o.batchSize) / Math.max((Date.now() - started) / 1000, 1e-3);
          ctx.progress({ step: done, total: o.epochs * steps, epoch, epochs: o.epochs, loss: lossSum / (step + 1), candidate: o.candidate, samplesPerSecond: rate });
        }
        await new Promise<void>((r) => setImmediate(r)); // let cancellation messages in
      }
      const metrics: Record<string, number> = { epoch, loss: lossSum / steps };
      heads.forEach((h, k) => { metrics[heads.length > 1 ? `val_projection_${k}_accuracy` : 'val_projection_accuracy'] = accuracyOn(ctx, h.model, validation, 'bits', [h.width]); });
      history.push(metrics);
      ctx.log.info('projection epoch', metrics);
    }
  } finally {
    optimizer.dispose();
  }
  return { history };
}
