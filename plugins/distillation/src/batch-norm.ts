// Recomputes the population statistics of every BatchNormalization layer from the final weights
// ("precise BN", Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm", arXiv 2105.07576).
// The moving averages kept during training lag behind weights that moved fast (short runs,
// Adam), and inference then normalises with stale statistics; re-estimating them over a few
// thousand training samples removes that gap at the cost of forward passes only.
import type { LayersModel, Tensor, Tf } from '@condense/plugin-sdk';

export async function recalibrateBatchNorm(tf: Tf, model: LayersModel, batches: AsyncIterable<Tensor>): Promise<number> {
  const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  if (bnLayers.length === 0) return 0;
  // In training mode every batch norm normalises with its batch's statistics, so the input each
  // one sees matches what it will see at inference once the layers before it are recalibrated.
  const probe = tf.model({ inputs: model.inputs, outputs: bnLayers.map((l) => l.input as ReturnType<Tf['input']>) });
  const sums: Tensor[] = [];
  const squares: Tensor[] = [];
  let count = 0;
  try {
    for await (const xs of batches) {
      const outs = tf.tidy(() => {
        const acts = probe.apply(xs, { training: true }) as Tensor | Tensor[];
        return (Array.isArray(acts) ? acts : [acts]).map((a) => {
          const axes = a.shape.slice(0, -1).map((_, i) => i);
          const n = a.shape.slice(0, -1).reduce((p, d) => p * d, 1);
          return [tf.mul(tf.mean(a, axes), n), tf.mul(tf.mean(tf.square(a), axes), n), n] as const;
        }).map(([s, q, n]) => ({ s, q, n }));
      });
      xs.dispose();
      outs.forEach((o, i) => {
        const prevS = sums[i];
        const prevQ = squares[i];
        sums[i] = prevS ? tf.add(prevS, o.s) : o.s;
        squares[i] = prevQ ? tf.add(prevQ, o.q) : o.q;
        if (prevS) { prevS.dispose(); o.s.dispose(); }
        if (prevQ) { prevQ.dispose(); o.q.dispose(); }
      });
      count += outs[0]?.n ?? 0;
    }
    if (count === 0) return 0;
    bnLayers.forEach((layer, i) => {
      const [mean, variance] = tf.tidy(() => {
        const m = tf.div(sums[i], count);
        return [m, tf.relu(tf.sub(tf.div(squares[i], count), tf.square(m)))];
      });
      const weights = layer.getWeights();
      const names = layer.weights.map((w) => w.originalName ?? w.name);
      const replaced = weights.map((w, k) => (/moving_mean$/.test(names[k]) ? mean : /moving_variance$/.test(names[k]) ? variance : w));
      layer.setWeights(replaced);
      mean.dispose();
      variance.dispose();
    });
    return count;
  } finally {
    for (const t of [...sums, ...squares]) t.dispose();
  }
}
