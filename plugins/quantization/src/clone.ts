// An independent copy of a model (topology and weights), so each candidate starts from the original.
import type { LayersModel, Tf } from '@condense/plugin-sdk';

export async function cloneModel(tf: Tf, model: LayersModel): Promise<LayersModel> {
  let artifacts: Parameters<Tf['io']['fromMemory']>[0] | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}
