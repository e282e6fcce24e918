// TF.js layers-format export: the standard model.json (topology + weights manifest pointing at
// one 'weights.bin') and the weight bytes, or both packed in a zip.
import { strToU8, zipSync } from 'fflate';
import { tf } from '../backend/index.ts';

export const TFJS_WEIGHTS_FILE = 'weights.bin';

export interface TfjsLayersExport {
  /** Contents of model.json (tf.loadLayersModel format). */
  modelJson: tf.io.ModelJSON;
  /** Contents of weights.bin. */
  weights: Uint8Array;
}

export async function exportTfjsLayers(model: tf.LayersModel): Promise<TfjsLayersExport> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!captured?.modelTopology || !captured.weightSpecs) throw new Error(`model '${model.name}' produced no topology to export`);
  const data = captured.weightData ? tf.io.CompositeArrayBuffer.join(captured.weightData) : new ArrayBuffer(0);
  const modelJson: tf.io.ModelJSON = {
    format: 'layers-model',
    generatedBy: captured.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'Condense',
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: captured.weightSpecs }],
  };
  return { modelJson, weights: new Uint8Array(data) };
}

/** The same export as a zip holding model.json and weights.bin. */
export async function exportTfjsLayersZip(model: tf.LayersModel): Promise<Uint8Array> {
  const { modelJson, weights } = await exportTfjsLayers(model);
  return zipSync({ 'model.json': strToU8(JSON.stringify(modelJson)), [TFJS_WEIGHTS_FILE]: weights });
}
