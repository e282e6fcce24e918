// Which Keras layers each TFLite op of a model's (optimised float) export comes from, so a
// report can name the layer behind an op a target cannot run.
import type { tf } from '../backend/index.ts';
import { optimizeIr } from './ir-passes.ts';
import { kerasToIr } from './keras-to-ir.ts';

export function irOpLayers(model: tf.LayersModel, inputShape?: number[]): Record<string, string[]> {
  const graph = optimizeIr(kerasToIr(model, inputShape));
  const out: Record<string, string[]> = {};
  for (const op of graph.ops) {
    const list = (out[op.type] ??= []);
    if (op.layer && !list.includes(op.layer)) list.push(op.layer);
  }
  return out;
}
