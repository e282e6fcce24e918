// tfjs types the plugin works with, derived from the SDK's public types.
import type { LayersModel } from '@condense/plugin-sdk';

export type Layer = LayersModel['layers'][number];
export type LayerVariable = Layer['weights'][number];
/** A symbolic tensor of the model graph. */
export type SymbolicTensor = LayersModel['outputs'][number];

/** The short name of a layer weight: 'kernel', 'bias', 'gamma', 'depthwise_kernel', … */
export function weightRole(variable: LayerVariable): string {
  const name = variable.originalName ?? variable.name;
  return name.slice(name.lastIndexOf('/') + 1).replace(/_\d+$/, '');
}
