// Model configs as specific Keras releases write them into `.h5` `model_config` / `.keras`
// `config.json`, so import tests cover what each version really emits:
//  - 2.2.4 (standalone Keras): functional class `Model`, `dtype` only on layers with an input
//    shape, glorot/he initializers serialised as `VarianceScaling`, `l2()` as `L1L2`, BN `axis: -1`.
//  - 2.4.0 (tf.keras, TF 2.4, the MLPerf Tiny ResNet-8 file): class `Functional`, `dtype` on every
//    layer, `L2`/`L1` regularizer classes, `HeNormal`, BN `axis: [3]` (the built, positive list),
//    VarianceScaling `untruncated_normal`.
//  - 2.15.0 (tf.keras): as 2.4 plus `module`/`registered_name` on layers and nested objects,
//    `build_config`, `OrthogonalRegularizer`, constraints.
//  - 3.6.0: Keras 3 (`DTypePolicy` objects, `__keras_tensor__` inbound nodes, `LecunNormal`).
import { kerasLayer, type KerasStyle, type LayerSpec } from './fixtures-keras.ts';

export type KerasRelease = '2.2.4' | '2.4.0' | '2.15.0' | '3.6.0';
export const KERAS_RELEASES: KerasRelease[] = ['2.2.4', '2.4.0', '2.15.0', '3.6.0'];

export function styleOf(release: KerasRelease): KerasStyle {
  return release.startsWith('3.') ? 'keras3' : 'keras2';
}

/** A nested Keras object (initializer, regularizer, constraint) as `release` writes it. */
export function kerasObjectFor(release: KerasRelease, className: string, config: Record<string, unknown>, module: string): Record<string, unknown> {
  if (release === '2.2.4' || release === '2.4.0') return { class_name: className, config };
  return { module, class_name: className, config, registered_name: null };
}

export function initializerFor(release: KerasRelease, kind: 'glorot' | 'he' | 'zeros' | 'ones'): Record<string, unknown> {
  const m = 'keras.initializers';
  if (kind === 'zeros') return kerasObjectFor(release, 'Zeros', {}, m);
  if (kind === 'ones') return kerasObjectFor(release, 'Ones', {}, m);
  if (release === '2.2.4') {
    return kerasObjectFor(release, 'VarianceScaling', kind === 'glorot'
      ? { scale: 1.0, mode: 'fan_avg', distribution: 'uniform', seed: null }
      : { scale: 2.0, mode: 'fan_in', distribution: 'normal', seed: null }, m);
  }
  if (release === '2.4.0') {
    return kind === 'glorot'
      ? kerasObjectFor(release, 'VarianceScaling', { scale: 1.0, mode: 'fan_avg', distribution: 'untruncated_normal', seed: null }, m)
      : kerasObjectFor(release, 'HeNormal', { seed: null }, m);
  }
  if (release === '3.6.0' && kind === 'he') return kerasObjectFor(release, 'LecunNormal', { seed: null }, m);
  return kerasObjectFor(release, kind === 'glorot' ? 'GlorotUniform' : 'HeNormal', { seed: null }, m);
}

/** `keras.regularizers.l2(1e-4)` as each release serialises it. */
export function l2For(release: KerasRelease, value = 1e-4): Record<string, unknown> {
  if (release === '2.2.4') return { class_name: 'L1L2', config: { l1: 0.0, l2: value } };
  return kerasObjectFor(release, 'L2', { l2: value }, 'keras.regularizers');
}

/** A layer entry as `release` writes it (module/registered_name/build_config from 2.13 on). */
export function layerFor(release: KerasRelease, spec: LayerSpec, functional: boolean, firstWithShape?: (number | null)[]): Record<string, unknown> {
  const style = styleOf(release);
  const layer = kerasLayer(style, spec, functional);
  const config = layer.config as Record<string, unknown>;
  if (release === '2.2.4' && spec.className !== 'InputLayer') {
    delete config.dtype; // Keras 2.2 writes dtype only on layers that carry an input shape
    if (firstWithShape) Object.assign(config, { batch_input_shape: firstWithShape, dtype: 'float32' });
  } else if (firstWithShape) config.batch_input_shape = firstWithShape;
  if (release === '2.15.0') {
    const out: Record<string, unknown> = { module: 'keras.layers', ...layer, registered_name: null };
    if (spec.inputShape && spec.className !== 'InputLayer') out.build_config = { input_shape: spec.inputShape };
    return out;
  }
  return layer;
}

export function inputLayerFor(release: KerasRelease, name: string, batchShape: (number | null)[]): LayerSpec {
  const config: Record<string, unknown> = release === '3.6.0'
    ? { batch_shape: batchShape, dtype: 'float32', sparse: false, name }
    : release === '2.2.4'
      ? { batch_input_shape: batchShape, dtype: 'float32', sparse: false, name }
      : { batch_input_shape: batchShape, dtype: 'float32', sparse: false, ragged: false, name };
  return { className: 'InputLayer', name, config };
}

export function sequentialFor(release: KerasRelease, name: string, layers: LayerSpec[], batchShape: (number | null)[]): unknown {
  const entries = layers.map((l, i) => layerFor(release, l, false, i === 0 ? batchShape : undefined));
  if (release === '3.6.0') {
    return {
      module: 'keras', class_name: 'Sequential', registered_name: null,
      config: { name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }, layers: entries, build_input_shape: batchShape },
      build_config: { input_shape: batchShape }, compile_config: null,
    };
  }
  if (release === '2.2.4') return { class_name: 'Sequential', config: { name, layers: entries } };
  const model: Record<string, unknown> = { class_name: 'Sequential', config: { name, layers: entries } };
  if (release === '2.15.0') Object.assign(model, { module: 'keras', registered_name: null, build_config: { input_shape: batchShape } });
  return model;
}

export function functionalFor(release: KerasRelease, name: string, layers: LayerSpec[], inputs: string[], outputs: string[]): unknown {
  const endpoints = (names: string[]) => (release === '3.6.0' && names.length === 1 ? [names[0], 0, 0] : names.map((n) => [n, 0, 0]));
  const config = { name, layers: layers.map((l) => layerFor(release, l, true)), input_layers: endpoints(inputs), output_layers: endpoints(outputs) };
  if (release === '2.2.4') return { class_name: 'Model', config };
  if (release === '2.4.0') return { class_name: 'Functional', config };
  if (release === '2.15.0') return { module: 'keras.src.engine.functional', class_name: 'Functional', config, registered_name: 'Functional', build_config: { input_shape: null } };
  return { module: 'keras.src.models.functional', class_name: 'Functional', config: { ...config, trainable: true }, registered_name: 'Functional', build_config: { input_shape: null } };
}
