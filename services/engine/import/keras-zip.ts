// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py): a zip with `config.json`,
// `metadata.json` and `model.weights.h5`, whose layout is `layers/<layer name>/vars/<0..n>`
// in each layer's variable order.
import { ModelImportError } from './errors.ts';
import { readDataset, withH5, type H5Group } from './h5.ts';
import type { LayerWeights } from './build.ts';

export interface KerasZipContents {
  config: unknown;
  kerasVersion?: string;
  weights: LayerWeights;
}

function parseJson(bytes: Uint8Array, label: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelImportError(`${label} is not valid JSON`);
  }
}

export async function readKerasZip(files: Map<string, Uint8Array>, label: string, options: { weights: boolean }): Promise<KerasZipContents> {
  const configBytes = files.get('config.json');
  if (!configBytes) throw new ModelImportError(`${label} has no config.json (not a Keras 3 .keras archive)`);
  const config = parseJson(configBytes, `${label}: config.json`);
  const metadata = files.get('metadata.json') ? (parseJson(files.get('metadata.json')!, `${label}: metadata.json`) as { keras_version?: string }) : {};
  const weights: LayerWeights = new Map();
  if (options.weights) {
    const weightBytes = files.get('model.weights.h5');
    if (!weightBytes) {
      const npz = files.has('model.weights.npz') ? ' (npz weights are not supported; save with the default h5 store)' : '';
      throw new ModelImportError(`${label} has no model.weights.h5${npz}`);
    }
    await withH5(weightBytes, `${label}: model.weights.h5`, (file) => {
      // A nested model's layers are stored under its own `layers/` group (the importer inlines them).
      const visit = (layers: H5Group | null, prefix: string): void => {
        if (!layers) return;
        for (const layerName of layers.keys()) {
          const group = layers.get(layerName) as H5Group | null;
          if (group?.keys().includes('layers')) visit(group.get('layers') as H5Group, `${prefix}${layerName}/layers/`);
          readVars(group, layerName, `${prefix}${layerName}`);
        }
      };
      const readVars = (group: H5Group | null, layerName: string, path: string): void => {
        const vars = group?.get('vars') as H5Group | null;
        if (!vars) return;
        const keys = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
        if (keys.length === 0) return;
        keys.forEach((k, i) => {
          if (Number(k) !== i) throw new ModelImportError(`${label}: layers/${path}/vars is missing variable ${i}`);
        });
        weights.set(layerName, keys.map((k) => readDataset(vars.get(k), `${label}: layers/${path}/vars/${k}`)));
      };
      visit(file.get('layers') as H5Group | null, '');
    });
  }
  return { config, kerasVersion: metadata.keras_version, weights };
}
