// An independent copy of a model — topology and weights — so each candidate a plugin makes can
// start from the untouched input model.
import type { LayersModel, Tf } from '../tf.ts';

/** A deep copy of `model` (new layers, new weight variables), made through an in-memory save and
 * load with the host's tfjs (`ctx.tf`). Custom layer classes must be registered. */
export async function cloneModel(tf: Tf, model: LayersModel): Promise<LayersModel> {
  let artifacts: Parameters<Tf['io']['fromMemory']>[0] | undefined;
  await model.save(tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!artifacts) throw new Error('cloneModel: the model saved no artifacts');
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
