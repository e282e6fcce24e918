// Models cross the worker boundary as tfjs-layers artifacts: the model.json topology plus one
// ArrayBuffer of weights (transferable, so it moves without a copy).
import { tf } from '../engine/backend/index.ts';

export interface SerializedModel {
  /** The Keras/tfjs `modelTopology` object of model.json. */
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All weights concatenated in `weightSpecs` order. */
  weightData: ArrayBuffer;
  trainingConfig?: tf.io.TrainingConfig;
}

export function isSerializedModel(value: unknown): value is SerializedModel {
  const v = value as SerializedModel;
  return !!v && typeof v === 'object' && !!v.modelTopology && typeof v.modelTopology === 'object'
    && Array.isArray(v.weightSpecs) && v.weightData instanceof ArrayBuffer;
}

/** Serialises a LayersModel (weights copied out of the backend). */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!captured?.modelTopology || !captured.weightSpecs) throw new Error('model did not serialise to a topology and weights');
  const weightData = captured.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(captured.weightData);
  return {
    modelTopology: captured.modelTopology as object,
    weightSpecs: captured.weightSpecs,
    weightData,
    ...(captured.trainingConfig ? { trainingConfig: captured.trainingConfig } : {}),
  };
}

/** Rebuilds a LayersModel on the active backend. Custom layer classes must be registered first. */
export async function deserializeModel(serialized: SerializedModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: serialized.modelTopology,
    weightSpecs: serialized.weightSpecs,
    weightData: serialized.weightData,
    ...(serialized.trainingConfig ? { trainingConfig: serialized.trainingConfig } : {}),
  }));
}

/** Bytes of a serialised model (topology JSON + weights), for logs and limits. */
export function serializedModelBytes(serialized: SerializedModel): number {
  return JSON.stringify(serialized.modelTopology).length + serialized.weightData.byteLength;
}
