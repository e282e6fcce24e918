// Size and compute of a tfjs model: parameter counts and multiply-accumulates per inference
// (batch 1) for the layers that do them (Dense and the convolutions; other layers count 0).
import type { tf } from '../backend/index.ts';

export interface ParameterCount {
  total: number;
  trainable: number;
}

export interface LayerMacs {
  layer: string;
  className: string;
  macs: number;
}

export function countParameters(model: tf.LayersModel): ParameterCount {
  const size = (w: tf.LayerVariable) => w.shape.reduce((a: number, d) => a * (d ?? 1), 1);
  return {
    total: model.weights.reduce((n, w) => n + size(w), 0),
    trainable: model.trainableWeights.reduce((n, w) => n + size(w), 0),
  };
}

const prod = (dims: readonly (number | null)[]) => dims.reduce((a: number, d) => a * (d ?? 1), 1);

function layerMacs(layer: tf.layers.Layer, output: (number | null)[]): number {
  const weight = (name: string) => layer.weights.find((w) => w.name.split('/').pop()!.replace(/_\d+$/, '') === name)?.shape as number[] | undefined;
  const spatialOut = prod(output.slice(1, -1));
  switch (layer.getClassName()) {
    case 'Dense': {
      const k = weight('kernel');
      return k ? prod(output.slice(1, -1)) * k[0] * k[1] : 0;
    }
    case 'Conv1D':
    case 'Conv2D': {
      const k = weight('kernel');
      return k ? spatialOut * prod(k) : 0; // every output position does kh·kw·in·out MACs
    }
    case 'DepthwiseConv2D': {
      const k = weight('depthwise_kernel');
      return k ? spatialOut * prod(k) : 0;
    }
    case 'SeparableConv2D': {
      const d = weight('depthwise_kernel');
      const p = weight('pointwise_kernel');
      return d && p ? spatialOut * (prod(d) + prod(p)) : 0;
    }
    default:
      return 0;
  }
}

/** MACs per single-sample inference, total and per layer. */
export function countMacs(model: tf.LayersModel): { total: number; layers: LayerMacs[] } {
  const layers: LayerMacs[] = [];
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      const output = node.outputTensors[0]?.shape;
      if (!output) continue;
      layers.push({ layer: layer.name, className: layer.getClassName(), macs: layerMacs(layer, output) });
    }
  }
  return { total: layers.reduce((n, l) => n + l.macs, 0), layers };
}
