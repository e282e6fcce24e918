// Keras `.h5` whole-model files as Keras 2 and Keras 3 write them
// (keras/src/legacy/saving/legacy_h5_format.py): the root attribute `model_config` (JSON),
// `keras_version`, `backend`; the group `model_weights` with attribute `layer_names`, one group
// per layer with attribute `weight_names`, and each weight at `model_weights/<layer>/<weight name>`
// (Keras 2: `dense/kernel:0`; Keras 3: `dense/kernel`). Long name lists are chunked as
// `layer_names0`, `layer_names1`, ...
import { ModelImportError } from './errors.ts';
import { readDataset, stringAttribute, stringListAttribute, withH5, type H5Group } from './h5.ts';
import type { LayerWeights } from './build.ts';

export interface KerasH5Contents {
  modelConfig: string;
  kerasVersion?: string;
  weights: LayerWeights;
}

export async function readKerasH5(bytes: Uint8Array, label: string, options: { weights: boolean }): Promise<KerasH5Contents> {
  return withH5(bytes, label, (file) => {
    const modelConfig = stringAttribute(file, 'model_config');
    if (modelConfig === undefined) {
      const hint = stringListAttribute(file, 'layer_names') ? ' (it looks like a weights-only file from save_weights)' : '';
      throw new ModelImportError(`${label} has no model_config attribute${hint}; save the whole model with model.save()`);
    }
    const weights: LayerWeights = new Map();
    if (options.weights) {
      const group = file.get('model_weights') ?? file;
      const layerNames = stringListAttribute(group as H5Group, 'layer_names');
      if (!layerNames) throw new ModelImportError(`${label}: model_weights has no layer_names attribute`);
      const nested: LayerWeights = new Map();
      for (const layerName of layerNames) {
        const layerGroup = (group as H5Group).get(layerName);
        if (!layerGroup) throw new ModelImportError(`${label}: layer "${layerName}" is listed in layer_names but has no weight group`);
        const weightNames = stringListAttribute(layerGroup as H5Group, 'weight_names') ?? [];
        if (weightNames.length === 0) continue;
        const values = weightNames.map((weightName) => {
          const dataset = (layerGroup as H5Group).get(weightName);
          if (!dataset) throw new ModelImportError(`${label}: weight ${layerName}/${weightName} is listed but missing`);
          return readDataset(dataset, `${label}: weight ${layerName}/${weightName}`);
        });
        weights.set(layerName, values);
        // A nested model's group lists its layers' weights as `<inner layer>/<weight>:0`: the
        // importer inlines nested models, so file them under the inner layers' names too.
        weightNames.forEach((weightName, i) => {
          const owner = weightName.split('/')[0];
          if (!weightName.includes('/') || owner === layerName || layerNames.includes(owner)) return;
          if (!nested.has(owner)) nested.set(owner, []);
          nested.get(owner)!.push(values[i]);
        });
      }
      for (const [owner, values] of nested) if (!weights.has(owner)) weights.set(owner, values);
    }
    return { modelConfig, kerasVersion: stringAttribute(file, 'keras_version'), weights };
  });
}
