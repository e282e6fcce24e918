// Deterministic train/validation/test assignment. Same seed + same data → same split.
// Samples a file assigns explicitly (MNIST's t10k files, a `split` column, train/ and test/
// folders) keep their split; only what the file leaves open is drawn at random.
import type { Split } from './types.ts';
import { permutation } from './random.ts';

/** Per-sample split the file declares: 0 train, 1 validation, 2 test, 255 none. */
export const SPLIT_CODE: Record<Split, number> = { train: 0, validation: 1, test: 2 };
export const NO_SPLIT = 255;

export interface SplitOptions {
  seed: number;
  validationFraction: number;
  testFraction: number;
}

export type SplitIndices = Record<Split, Int32Array>;

/**
 * Splits `indices` (sample ids). Unassigned samples are split by both fractions. When the file
 * assigns samples to train but provides no validation (or test) samples at all, that share is
 * carved out of its train samples, so e.g. MNIST gets a validation split from its train files.
 */
export function assignSplits(indices: Int32Array, explicit: Uint8Array | undefined, options: SplitOptions): SplitIndices {
  const buckets: Record<Split | 'open', number[]> = { train: [], validation: [], test: [], open: [] };
  for (const i of indices) {
    const code = explicit ? explicit[i] : NO_SPLIT;
    if (code === 0) buckets.train.push(i);
    else if (code === 1) buckets.validation.push(i);
    else if (code === 2) buckets.test.push(i);
    else buckets.open.push(i);
  }
  const result: Record<Split, number[]> = { train: [], validation: [], test: [] };
  result.validation.push(...buckets.validation);
  result.test.push(...buckets.test);
  // Open samples: random by both fractions.
  carve(buckets.open, options.testFraction, options.validationFraction, options.seed, result);
  // Explicit train samples: carve out only the splits the file does not provide.
  carve(
    buckets.train,
    buckets.test.length === 0 && buckets.open.length === 0 ? options.testFraction : 0,
    buckets.validation.length === 0 && buckets.open.length === 0 ? options.validationFraction : 0,
    options.seed + 1,
    result,
  );
  const sorted = (values: number[]) => Int32Array.from(values).sort();
  return { train: sorted(result.train), validation: sorted(result.validation), test: sorted(result.test) };
}

function carve(ids: number[], testFraction: number, validationFraction: number, seed: number, into: Record<Split, number[]>): void {
  const order = permutation(ids.length, seed);
  const nTest = Math.round(ids.length * testFraction);
  const nValidation = Math.min(ids.length - nTest, Math.round(ids.length * validationFraction));
  order.forEach((position, k) => {
    const id = ids[position];
    if (k < nTest) into.test.push(id);
    else if (k < nTest + nValidation) into.validation.push(id);
    else into.train.push(id);
  });
}

export function parseSplitName(value: string): number | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'train' || v === 'training') return SPLIT_CODE.train;
  if (v === 'validation' || v === 'valid' || v === 'val' || v === 'dev') return SPLIT_CODE.validation;
  if (v === 'test' || v === 'testing') return SPLIT_CODE.test;
  if (v === '') return NO_SPLIT;
  return undefined;
}
