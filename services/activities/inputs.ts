// Loading what a run works on — its row, the base model, the dataset, intermediate models — from
// the database and blob store. Shared by the activities; caches datasets per process because
// several activities of one run read the same one.
import { initEngine, tf } from '../engine/backend/index.ts';
import { openDataset } from '../engine/data/index.ts';
import type { IndexedDataset } from '../engine/data/dataset.ts';
import { exportTfjsLayersZip } from '../engine/export/index.ts';
import { importModel, readTextFrontEnd, tokenFrontEndFor, TOKENIZER_FILE } from '../engine/import/index.ts';
import {
  bagOfIdsDataset, embeddingRowsOfModel, featurizedDataset, projectedDataset, textProjectionOfModel, tokenFrontEndForRows, tokenIdsDataset, withVocabularyRows,
  type BagOfIds, type TextFrontEnd,
} from '../engine/text/index.ts';
import { bagOfIdsInput } from '../engine/text/bag-of-ids-model.ts';
import { getTarget } from '../targets/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import type { tf as Tf } from '../engine/backend/index.ts';
import { withTenant } from '../db/tenant.ts';
import { getRunForExecution, type RunForExecution } from '../runs-store/index.ts';
import type { RunRef } from '../../workflows/types.ts';
import { NonRetryableError } from './context.ts';
import type { ActivityDeps } from './deps.ts';

export async function loadRun(deps: ActivityDeps, ref: RunRef): Promise<RunForExecution> {
  const run = await withTenant(deps.db, ref.orgId, (trx) => getRunForExecution(trx, ref.runId));
  if (!run) throw new NonRetryableError('NotFound', `run ${ref.runId} does not exist in organization ${ref.orgId}`);
  return run;
}

/** Turns the engine's typed input errors into non-retryable ones (a retry would fail the same way). */
export function asInputError(err: unknown): unknown {
  if (err instanceof Error && ['ModelImportError', 'DatasetError', 'UnsupportedLayerError', 'UnknownTargetError'].includes(err.name)) {
    return new NonRetryableError('InvalidInput', err.message);
  }
  return err;
}

export async function loadBaseModel(deps: ActivityDeps, run: RunForExecution): Promise<tf.LayersModel> {
  await initEngine();
  const bytes = await deps.blobs.read(run.model.blobSha256);
  let imported;
  try {
    imported = await importModel({ filename: run.model.filename, bytes });
  } catch (err) {
    throw asInputError(err);
  }
  if (!imported.model) {
    imported.graph?.dispose();
    throw new NonRetryableError('InvalidInput', `${run.model.filename}: a TF.js graph model can only serve as a teacher; upload a Keras or TF.js layers model to compress`);
  }
  return imported.model;
}

const datasets = new Map<string, Promise<IndexedDataset>>();

export function loadDataset(deps: ActivityDeps, run: RunForExecution): Promise<IndexedDataset> {
  const seed = deps.sizes?.datasetSeed ?? 1;
  // A text dataset is read through the model's tokenizer, so the key names the model too.
  const key = `${run.dataset.blobSha256}:${seed}:${run.model.blobSha256}`;
  let cached = datasets.get(key);
  if (!cached) {
    cached = (async () => {
      const bytes = await deps.blobs.read(run.dataset.blobSha256);
      let dataset: IndexedDataset;
      try {
        dataset = await openDataset({ bytes, filename: run.dataset.filename }, { seed });
      } catch (err) {
        throw asInputError(err);
      }
      return dataset.info.kind === 'text' ? throughTokenizer(deps, run, dataset) : dataset;
    })();
    cached.catch(() => datasets.delete(key));
    datasets.set(key, cached);
  }
  return cached;
}

/** A text dataset as token-id rows of the model's input length, through the tokenizer uploaded with the model. */
async function throughTokenizer(deps: ActivityDeps, run: RunForExecution, dataset: IndexedDataset): Promise<IndexedDataset> {
  let frontEnd;
  try {
    frontEnd = readTextFrontEnd({ filename: run.model.filename, bytes: await deps.blobs.read(run.model.blobSha256) });
  } catch (err) {
    throw asInputError(err);
  }
  if (!frontEnd) {
    throw new NonRetryableError('InvalidInput', `${run.dataset.filename} holds text, but ${run.model.filename} carries no tokenizer: put ${TOKENIZER_FILE} (Keras tokenizer.to_json()) beside model.json in the zip, or in the .keras file's assets/, or save the model with its TextVectorization layer as .keras`);
  }
  const model = await loadBaseModel(deps, run);
  const shape = model.inputs[0]?.shape ?? [];
  model.dispose();
  const length = shape[1];
  if (shape.length !== 2 || typeof length !== 'number' || length < 1) {
    throw new NonRetryableError('InvalidInput', `${run.model.filename}: a text model's input must be [batch, steps] token ids with a fixed number of steps, got [${shape.map((d) => d ?? 'None').join(', ')}]`);
  }
  try {
    return tokenIdsDataset(dataset, tokenFrontEndFor(frontEnd, length, run.model.filename));
  } catch (err) {
    throw asInputError(err);
  }
}

/**
 * The run's dataset as `model` reads it: a text ProjectionNet (its featuriser in its LshProjection
 * layer) hashes the raw texts (to the projection bits when its front end hashes); a model whose Embedding kept fewer rows than the tokenizer has ids
 * (vocabulary pruning) reads the texts through the tokenizer with num_words = rows; every other
 * model reads the run's dataset as loaded (a text dataset as token ids through the uploaded tokenizer).
 */
export function datasetForModel(dataset: IndexedDataset, model: Tf.LayersModel): IndexedDataset {
  const projection = textProjectionOfModel(model);
  if (projection?.inFrontEnd) return projectedDataset(dataset, projection.featurizer, projection.numHash, projection.numBits);
  return projection ? featurizedDataset(dataset, projection.featurizer) : vocabularyForModel(dataset, model);
}

/**
 * The input of the file exported for a target without GATHER (the Edge TPU's op set; Arm NN 20.08
 * has none either): the bag of ids, when `model` is an Embedding → GlobalAveragePooling1D text
 * model — the file then holds its bag-of-ids form, FULLY_CONNECTED over id counts, the same
 * function (engine/text/bag-of-ids-model.ts); null: the file holds the model as it is.
 */
export function gatherFreeBag(model: Tf.LayersModel, targetId: string): BagOfIds | null {
  return getTarget(targetId).ops.includes('GATHER') ? null : bagOfIdsInput(model);
}

/** The dataset as the file exported for `targetId` reads it (see gatherFreeBag). */
export function exportedDataset(dataset: IndexedDataset, model: Tf.LayersModel, targetId: string): IndexedDataset {
  const view = datasetForModel(dataset, model);
  const bag = view.info.texts ? gatherFreeBag(model, targetId) : null;
  return bag ? bagOfIdsDataset(view, bag) : view;
}

/** A token-id dataset as a vocabulary-pruned `model` reads it (the dataset itself for every other model). */
export function vocabularyForModel<D extends Dataset>(dataset: D, model: Tf.LayersModel): D {
  const rows = dataset.info.texts ? embeddingRowsOfModel(model) : undefined;
  return rows === undefined ? dataset : withVocabularyRows(dataset, rows);
}

/**
 * The text front end `model` needs, to ship inside its file for `targetId`: a ProjectionNet's
 * featuriser, or the tokenizer uploaded with the run's model (a text model reading token ids; with
 * the bag-of-ids rule when the target's file is the bag-of-ids form); undefined otherwise.
 */
export async function textFrontEndFor(deps: ActivityDeps, run: RunForExecution, dataset: IndexedDataset, model: Tf.LayersModel, targetId: string): Promise<TextFrontEnd | undefined> {
  const projection = textProjectionOfModel(model);
  if (projection) return { kind: 'ngram-lsh', ...projection };
  if (!dataset.info.texts) return undefined;
  const frontEnd = readTextFrontEnd({ filename: run.model.filename, bytes: await deps.blobs.read(run.model.blobSha256) });
  const length = dataset.info.inputShape[0];
  if (!frontEnd || length === undefined) return undefined;
  // A vocabulary-pruned model ships its front end limited to its embedding rows.
  const rows = embeddingRowsOfModel(model);
  const tokens = tokenFrontEndFor(frontEnd, length, run.model.filename);
  const limited = rows === undefined ? tokens : tokenFrontEndForRows(tokens, rows);
  const bag = gatherFreeBag(model, targetId);
  return bag ? { ...limited, bag } : limited;
}

/** Stores a model as a TF.js layers zip (model.json + weights.bin); returns its blob sha256. */
export async function saveModelBlob(deps: ActivityDeps, model: tf.LayersModel): Promise<string> {
  const zip = await exportTfjsLayersZip(model);
  return (await deps.blobs.put(zip)).sha256;
}

export async function loadModelBlob(deps: ActivityDeps, sha256: string): Promise<tf.LayersModel> {
  await initEngine();
  const bytes = await deps.blobs.read(sha256);
  // Our own blob: plugins' custom layers (registered with the host) are expected in it.
  const imported = await importModel({ filename: 'model.zip', bytes }, { registeredLayers: true });
  if (!imported.model) throw new Error(`blob ${sha256} holds no layers model`);
  return imported.model;
}
