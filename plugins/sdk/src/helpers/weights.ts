// Finding a layer's weights by role ('kernel', 'bias', …) independently of the unique suffixes
// tfjs appends to weight names.
import type { Layer, LayerVariable } from '../tf.ts';

/** The short name of a layer weight: 'kernel', 'bias', 'gamma', 'depthwise_kernel', … */
export function weightRole(variable: LayerVariable): string {
  const name = variable.originalName ?? variable.name;
  return name.slice(name.lastIndexOf('/') + 1).replace(/_\d+$/, '');
}

/** The layer's weight with that role, if it has one. */
export function findWeight(layer: Layer, role: string): LayerVariable | undefined {
  return layer.weights.find((w) => weightRole(w) === role);
}
