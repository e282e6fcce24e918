// Runs a model layer by layer so a hook can rewrite every layer's output (here: to insert
// fake quantization), for Sequential and Functional graphs alike.
import type { Layer, LayersModel, SymbolicTensor, Tensor } from '@condense/plugin-sdk';

/** Called with each layer's output; returns the tensor the graph continues with. */
export type OutputHook = (layer: Layer, output: Tensor) => Tensor;
/** Computes a layer itself instead of `layer.apply` (undefined: apply as usual). */
export type ComputeHook = (layer: Layer, inputs: Tensor[]) => Tensor | undefined;

export function forward(
  model: LayersModel, input: Tensor, training: boolean, onInput: (x: Tensor) => Tensor, onOutput: OutputHook, compute?: ComputeHook,
): Tensor {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`quantization simulation supports single-input, single-output models; this one has ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  }
  const values = new Map<number, Tensor>([[model.inputs[0].id, onInput(input)]]);
  const evaluate = (symbolic: SymbolicTensor): Tensor => {
    const known = values.get(symbolic.id);
    if (known) return known;
    const layer = symbolic.sourceLayer;
    const node = layer.inboundNodes[symbolic.nodeIndex];
    const inputs = node.inputTensors.map(evaluate);
    const result = compute?.(layer, inputs) ?? layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training }) as Tensor | Tensor[];
    const outputs = Array.isArray(result) ? result : [result];
    node.outputTensors.forEach((t, i) => values.set(t.id, onOutput(layer, outputs[i])));
    const value = values.get(symbolic.id);
    if (!value) throw new Error(`layer '${layer.name}' did not produce output ${symbolic.name}`);
    return value;
  };
  return evaluate(model.outputs[0]);
}
