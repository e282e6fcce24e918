// The GATHER-free form of an Embedding → GlobalAveragePooling1D model (./bag-of-ids.ts): the same
// function of the text, reading the bag of ids — Input [rows] → Dense(embedding width) holding the
// table (unmasked: rows (E[v] − E[0]) / L and bias E[0]; masked: E, no bias) → the model's layers
// after the pooling, with their weights. Exported, it is FULLY_CONNECTED layers only: it runs where
// GATHER does not (the Edge TPU, Arm NN 20.08). Only chains qualify: input → Embedding →
// GlobalAveragePooling1D → one layer after another.
import { tf } from '../backend/index.ts';
import type { BagOfIds } from './bag-of-ids.ts';

type Layer = tf.layers.Layer;

/** The layers of a single-input chain model in order (input layer left out), or null. */
function chainLayers(model: tf.LayersModel): Layer[] | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (let i = 1; i < layers.length; i++) {
    const nodes = (layers[i] as unknown as { inboundNodes: Array<{ inboundLayers: Layer[] }> }).inboundNodes;
    if (nodes.length !== 1 || nodes[0].inboundLayers.length !== 1 || nodes[0].inboundLayers[0] !== layers[i - 1]) return null;
  }
  return layers;
}

/** Whether `model` has a bag-of-ids form (input → Embedding → GlobalAveragePooling1D → chain). */
export function hasBagOfIdsForm(model: tf.LayersModel): boolean {
  const layers = chainLayers(model);
  return !!layers && layers.length >= 2 && layers[0].getClassName() === 'Embedding' && layers[1].getClassName() === 'GlobalAveragePooling1D'
    && model.inputs[0].shape.length === 2 && typeof model.inputs[0].shape[1] === 'number';
}

/** The bag input the bag-of-ids form of `model` reads; null when it has none. */
export function bagOfIdsInput(model: tf.LayersModel): BagOfIds | null {
  if (!hasBagOfIdsForm(model)) return null;
  const embedding = chainLayers(model)![0];
  const rows = (embedding.getConfig() as { inputDim: number }).inputDim;
  return { rows, weighting: (embedding.getConfig() as { maskZero?: boolean }).maskZero === true ? 'fraction' : 'count' };
}

/** The bag-of-ids form of `model` and the input it reads; null when it has none. The caller
 * disposes the returned model (it owns copies of every weight). */
export function bagOfIdsModel(model: tf.LayersModel): { model: tf.LayersModel; bag: BagOfIds } | null {
  if (!hasBagOfIdsForm(model)) return null;
  const [embedding, , ...rest] = chainLayers(model)!;
  const length = model.inputs[0].shape[1] as number;
  const table = embedding.getWeights()[0];
  const bag = bagOfIdsInput(model)!;
  const [rows, width] = table.shape;
  const masked = bag.weighting === 'fraction';
  const input = tf.input({ shape: [rows], name: `${model.inputs[0].name.replace(/[:/].*$/, '')}_bag` });
  const dense = tf.layers.dense({ units: width, useBias: !masked, name: `${embedding.name}_bag` });
  let x = dense.apply(input) as tf.SymbolicTensor;
  const copies: Array<[Layer, Layer]> = [];
  const classes = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const layer of rest) {
    const [cls, fromConfig] = classes[layer.getClassName()];
    const copy = fromConfig(cls, layer.getConfig() as tf.serialization.ConfigDict) as unknown as Layer;
    x = copy.apply(x) as tf.SymbolicTensor;
    copies.push([layer, copy]);
  }
  const form = tf.model({ inputs: input, outputs: x, name: `${model.name}_bag_of_ids` });
  const [kernel, bias] = tf.tidy(() => {
    const row0 = table.slice([0, 0], [1, width]);
    // Slot 0 of the bag is always 0: its row is left 0 too.
    const shifted = masked ? table : tf.div(tf.sub(table, row0), length);
    const zeroFirst = tf.concat([tf.zeros([1, width]), shifted.slice([1, 0], [rows - 1, width])], 0);
    // A fresh rank-1 tensor: wasm kernels read the shape stored with a reshape's shared data.
    return [zeroFirst, tf.tensor1d(row0.dataSync())];
  });
  dense.setWeights(masked ? [kernel] : [kernel, bias]);
  tf.dispose([kernel, bias]);
  for (const [layer, copy] of copies) copy.setWeights(layer.getWeights());
  return { model: form, bag };
}
