// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py): a zip with `config.json`,
// `metadata.json` and `model.weights.h5`, whose layout is `layers/<layer name>/vars/<0..n>`
// in each layer's variable order. saving_lib stores variables with the object that owns them,
// at `<parent path>/<attribute>/vars`: an RNN layer's (LSTM, GRU, SimpleRNN) are its cell's,
// `layers/gru/cell/vars` (the layer's own `vars` group is empty), and Bidirectional's are its two
// layers' cells, `layers/bidirectional/forward_layer/cell/vars` then `backward_layer/cell/vars` —
// the order tfjs' Bidirectional lists its weights in.
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
      /** The variables in `<path>/vars`, in order (none: empty). */
      const varsAt = (group: H5Group | null, path: string) => {
        const vars = group?.get('vars') as H5Group | null;
        if (!vars) return [];
        const keys = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
        keys.forEach((k, i) => {
          if (Number(k) !== i) throw new ModelImportError(`${label}: layers/${path}/vars is missing variable ${i}`);
        });
        return keys.map((k) => readDataset(vars.get(k), `${label}: layers/${path}/vars/${k}`));
      };
      const child = (group: H5Group | null, sub: string) => (group?.keys().includes(sub) ? group.get(sub) as H5Group : null);
      const readVars = (group: H5Group | null, layerName: string, path: string): void => {
        let values = varsAt(group, path);
        // Variables owned by an RNN layer's cell, or by a Bidirectional's two layers' cells.
        if (values.length === 0) values = varsAt(child(group, 'cell'), `${path}/cell`);
        if (values.length === 0 && child(group, 'forward_layer') && child(group, 'backward_layer')) {
          values = ['forward_layer', 'backward_layer'].flatMap((side) => varsAt(child(child(group, side), 'cell'), `${path}/${side}/cell`));
        }
        if (values.length > 0) weights.set(layerName, values);
      };
      visit(file.get('layers') as H5Group | null, '');
    });
  }
  return { config, kerasVersion: metadata.keras_version, weights };
}
