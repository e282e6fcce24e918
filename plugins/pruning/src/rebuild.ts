// Physically removes pruned channels: rebuilds the model from its config with fewer units or
// filters, then copies every layer's weights sliced to the kept channels.
import { weightRole, type LayersModel, type Tensor, type Tf } from '@condense/plugin-sdk';
import type { ChannelGroup } from './channel-plan.ts';

interface LayerConfigEntry {
  class_name: string;
  config: { name: string; units?: number; filters?: number };
}

/** Layer configs of a Sequential or Functional topology, by layer name. */
function layerConfigs(topology: { config: { layers: LayerConfigEntry[] } }): Map<string, LayerConfigEntry> {
  return new Map(topology.config.layers.map((entry) => [entry.config.name, entry]));
}

/** A copy of `model` whose group producers keep only `keep[i]` channels (every producer of a group the same). */
export async function removeChannels(tf: Tf, model: LayersModel, groups: ChannelGroup[], keep: number[][]): Promise<LayersModel> {
  const topology = model.toJSON(null, false) as unknown as { config: { layers: LayerConfigEntry[] } };
  const configs = layerConfigs(topology);
  groups.forEach((group, i) => {
    for (const producer of group.producers) {
      const entry = configs.get(producer.name);
      if (!entry) throw new Error(`layer '${producer.name}' is missing from the model config`);
      if (entry.config.units !== undefined) entry.config.units = keep[i].length;
      else entry.config.filters = keep[i].length;
    }
  });
  const narrow = await tf.models.modelFromJSON({ modelTopology: topology as never });

  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const original = layer.getWeights();
    const values = layer.weights.map((w, wi) => {
      let value: Tensor = original[wi];
      const role = weightRole(w);
      groups.forEach((group, gi) => {
        for (const slice of group.slices) {
          if (slice.layer !== layer || slice.role !== role) continue;
          const gathered = tf.gather(value, slice.indices(keep[gi]), slice.axis);
          // Re-upload: the wasm GatherV2 output keeps a rank-4 shape in the backend's own
          // bookkeeping, which FusedConv2D then rejects as a bias.
          const sliced = tf.tensor(gathered.dataSync(), gathered.shape, gathered.dtype);
          gathered.dispose();
          if (value !== original[wi]) value.dispose();
          value = sliced;
        }
      });
      return value;
    });
    narrow.getLayer(layer.name).setWeights(values);
    values.forEach((v, i) => {
      if (v !== original[i]) v.dispose();
    });
  }
  return narrow;
}
