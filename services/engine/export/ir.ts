// A small float graph of TFLite builtin ops: what layer converters produce, what the optimisation
// passes rewrite, what calibration runs, and what lowering turns into typed TFLite tensors.
import type { OperatorOptions } from './tflite-model.ts';
import type { BuiltinOperatorName } from './tflite-schema.ts';

export interface IrTensor {
  id: number;
  name: string;
  /** Shape with -1 for the batch dimension of activations. */
  shape: number[];
  /** Float constant (weights, biases, scalars). */
  value?: Float32Array;
  /** Int32 constant (shapes, axes). */
  intValue?: Int32Array;
  /** Element type of a non-constant tensor when it is not float (e.g. LSH_PROJECTION's output). */
  dtype?: 'int32';
  /** Float constant whose values float16 holds exactly (e.g. LSH_PROJECTION's integer seeds): stored
   * as FLOAT16 and DEQUANTIZEd at load in every mode, not only in float16 exports. */
  exactInFloat16?: boolean;
}

export interface IrOp {
  type: BuiltinOperatorName;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
  /** Keras layer the op was converted from (for reports naming the layer behind an op). */
  layer?: string;
}

export class IrGraph {
  readonly tensors: IrTensor[] = [];
  ops: IrOp[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  /** Keras masks: tensor id → float 0/1 tensor [batch, steps, 1] of its valid steps (Embedding mask_zero). */
  readonly masks = new Map<number, number>();
  /** Keras layers whose output each tensor is (a fused chain's tensor carries every layer of the
   * chain, in order): how ranges learned per layer find their tensor. */
  readonly layerOutputs = new Map<number, string[]>();
  private readonly names = new Set<string>();

  private uniqueName(name: string): string {
    let candidate = name;
    for (let i = 1; this.names.has(candidate); i++) candidate = `${name}_${i}`;
    this.names.add(candidate);
    return candidate;
  }

  addTensor(name: string, shape: number[]): number {
    const id = this.tensors.length;
    this.tensors.push({ id, name: this.uniqueName(name), shape: [...shape] });
    return id;
  }

  addConstant(name: string, shape: number[], value: Float32Array): number {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== value.length) throw new Error(`constant ${name}: ${value.length} values for shape [${shape}]`);
    const id = this.addTensor(name, shape);
    this.tensors[id].value = value;
    return id;
  }

  addIntConstant(name: string, values: number[]): number {
    const id = this.addTensor(name, [values.length]);
    this.tensors[id].intValue = Int32Array.from(values);
    return id;
  }

  /** Appends an op writing a new tensor of `outputShape`; returns that tensor's id. */
  addOp(type: BuiltinOperatorName, inputs: number[], outputName: string, outputShape: number[], options?: OperatorOptions): number {
    const out = this.addTensor(outputName, outputShape);
    this.ops.push({ type, inputs, outputs: [out], options });
    return out;
  }

  isConstant(id: number): boolean {
    const t = this.tensors[id];
    return t.value !== undefined || t.intValue !== undefined;
  }

  /** Number of ops reading `id`, plus one if it is a graph output. */
  useCount(id: number): number {
    let n = this.outputs.includes(id) ? 1 : 0;
    for (const op of this.ops) for (const i of op.inputs) if (i === id) n++;
    return n;
  }

  producer(id: number): IrOp | undefined {
    return this.ops.find((op) => op.outputs.includes(id));
  }

  /** Records that tensor `id` is the output of Keras layer `layer`. */
  nameLayerOutput(id: number, layer: string): void {
    const names = this.layerOutputs.get(id) ?? [];
    if (!names.includes(layer)) this.layerOutputs.set(id, [...names, layer]);
  }

  /** Replaces every use of tensor `from` (op inputs and graph outputs) by `to`; `to` now carries
   * the layer outputs `from` did. */
  replaceUses(from: number, to: number): void {
    for (const layer of this.layerOutputs.get(from) ?? []) this.nameLayerOutput(to, layer);
    this.layerOutputs.delete(from);
    for (const op of this.ops) op.inputs = op.inputs.map((i) => (i === from ? to : i));
    this.outputs = this.outputs.map((i) => (i === from ? to : i));
  }
}
