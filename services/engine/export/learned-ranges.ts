// Activation ranges a plugin learned (SDK `ActivationRanges`: per Keras layer output, the model
// input, and the linear output before a separately run softmax/sigmoid/tanh) → the IR tensors
// they describe. A layer's output is found through the names kerasToIr and the fusing passes
// keep on each tensor (IrGraph.layerOutputs); when several named layers share one tensor (conv →
// batch norm → ReLU after folding), the last of them with a learned range gives it.
import type { ActivationRanges } from '@condense/plugin-sdk';
import type { IrGraph } from './ir.ts';
import type { TensorRange } from './ir-interpreter.ts';

const SEPARATE_ACTIVATIONS = new Set(['SOFTMAX', 'LOGISTIC', 'TANH']);

export function learnedTensorRanges(graph: IrGraph, learned: ActivationRanges): Map<number, TensorRange> {
  const out = new Map<number, TensorRange>();
  if (learned.input && graph.inputs.length === 1) out.set(graph.inputs[0], learned.input);
  for (const [id, layers] of graph.layerOutputs) {
    if (graph.isConstant(id)) continue;
    const layer = [...layers].reverse().find((l) => learned.outputs[l] !== undefined);
    if (layer) out.set(id, learned.outputs[layer]);
  }
  const pre = learned.preActivations ?? {};
  for (const op of graph.ops) {
    if (!SEPARATE_ACTIVATIONS.has(op.type) || !op.layer || pre[op.layer] === undefined) continue;
    const input = op.inputs[0];
    if (graph.producer(input)?.layer === op.layer) out.set(input, pre[op.layer]);
  }
  return out;
}
