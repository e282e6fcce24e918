// Vocabulary pruning for text models (an Embedding over token ids): the table rows of words that
// are rare in the training split are removed. The ids of a Keras `Tokenizer` (fit_on_texts) and
// of a `TextVectorization` vocabulary are ranked by frequency, most frequent first, so the table
// keeps its first K rows: K is the fewest leading ids whose occurrences in the training split
// (padding id 0 not counted) reach `coverage` of all token occurrences. Ids ≥ K then read the
// out-of-vocabulary id, which is exactly what Keras' `num_words = K` does: the host ships the
// tokenizer with num_words = K in the candidate's file and tokenizes with it (one rule, no id
// remapping table). The embedding table dominates such models, so this is where bytes are.
import type { CandidateModel, LayersModel, PluginContext, Tf } from '@condense/plugin-sdk';

interface LayerEntry {
  class_name: string;
  config: { name: string; input_dim?: number };
}

/** The one Embedding layer of `model` (vocabulary pruning needs exactly one). */
export function embeddingLayerOf(model: LayersModel): { name: string; inputDim: number } {
  const embeddings = model.layers.filter((l) => l.getClassName() === 'Embedding');
  if (embeddings.length !== 1) {
    throw new Error(`vocabulary pruning needs a model with one Embedding layer over token ids; '${model.name}' has ${embeddings.length}`);
  }
  const config = embeddings[0].getConfig() as { inputDim?: number };
  if (!Number.isInteger(config.inputDim)) throw new Error(`Embedding layer '${embeddings[0].name}' has no integer inputDim`);
  return { name: embeddings[0].name, inputDim: config.inputDim! };
}

/** Occurrences of every id < inputDim in the training split's token-id rows (id 0, padding, not counted). */
export async function countTokenIds(ctx: PluginContext, inputDim: number): Promise<Float64Array> {
  if (ctx.data.info.kind !== 'tensor') throw new Error(`vocabulary pruning reads token ids; this dataset is '${ctx.data.info.kind}'`);
  const counts = new Float64Array(inputDim);
  for await (const batch of ctx.data.batches('train', 512)) {
    if (ctx.signal.aborted) throw new Error('pruning cancelled');
    const x = batch.x;
    if (!x) throw new Error('vocabulary pruning needs token-id rows (batch.x)');
    for (let i = 0; i < x.length; i++) {
      const id = x[i];
      if (id > 0 && id < inputDim && Number.isInteger(id)) counts[id] += 1;
    }
  }
  return counts;
}

/** The fewest leading rows (≥ 2: padding and the OOV id 1 stay) whose ids cover `coverage` of the counted occurrences. */
export function rowsForCoverage(counts: Float64Array, coverage: number): { rows: number; covered: number } {
  const total = counts.reduce((a, b, id) => (id === 0 ? a : a + b), 0);
  if (total === 0) return { rows: counts.length, covered: 1 };
  let sum = 0;
  for (let k = 1; k < counts.length; k++) {
    sum += counts[k];
    if (sum >= coverage * total) return { rows: k + 1, covered: sum / total };
  }
  return { rows: counts.length, covered: 1 };
}

/** A copy of `model` whose Embedding keeps only its first `rows` rows. */
export async function truncateVocabulary(tf: Tf, model: LayersModel, layerName: string, rows: number): Promise<LayersModel> {
  const topology = model.toJSON(null, false) as unknown as { config: { layers: LayerEntry[] } };
  const entry = topology.config.layers.find((l) => l.config.name === layerName);
  if (!entry) throw new Error(`layer '${layerName}' is missing from the model config`);
  entry.config.input_dim = rows;
  const pruned = await tf.models.modelFromJSON({ modelTopology: topology as never });
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.getWeights();
    if (layer.name === layerName) {
      const table = values[0];
      const kept = tf.tidy(() => table.slice([0, 0], [rows, table.shape[1]!]));
      pruned.getLayer(layer.name).setWeights([kept]);
      kept.dispose();
    } else {
      pruned.getLayer(layer.name).setWeights(values);
    }
  }
  return pruned;
}

/** One candidate per coverage: the model with its rare-vocabulary rows removed (no fine-tuning). */
export async function pruneVocabulary(ctx: PluginContext, coverages: number[]): Promise<CandidateModel[]> {
  const { name, inputDim } = embeddingLayerOf(ctx.model);
  const counts = await countTokenIds(ctx, inputDim);
  const out: CandidateModel[] = [];
  for (const coverage of coverages) {
    const { rows, covered } = rowsForCoverage(counts, coverage);
    const model = await truncateVocabulary(ctx.tf, ctx.model, name, rows);
    const pct = Math.round(coverage * 100);
    out.push({
      name: `pruned-vocabulary-${pct}`,
      model,
      notes: `vocabulary pruned to the ${rows} most frequent ids of ${inputDim} (${(covered * 100).toFixed(1)}% of the training split's tokens); the rest read the out-of-vocabulary id (the shipped tokenizer's num_words is ${rows})`,
      metrics: { vocabularyRows: rows, vocabularyRowsRemoved: inputDim - rows, vocabularyCoverage: covered },
    });
  }
  return out;
}
