// tfjs types only: at run time plugins receive the host's tfjs namespace as `ctx.tf`, so a
// plugin never loads its own copy of tfjs or picks a backend.
import type * as tfjs from '@tensorflow/tfjs';

/** The `@tensorflow/tfjs` namespace, as handed to hooks in `ctx.tf`. */
export type Tf = typeof tfjs;
export type LayersModel = tfjs.LayersModel;
export type Tensor = tfjs.Tensor;
export type Scalar = tfjs.Scalar;
export type Optimizer = tfjs.Optimizer;
export type Variable = tfjs.Variable;
export type NamedTensorMap = tfjs.NamedTensorMap;
/** A layer of a `LayersModel`. */
export type Layer = LayersModel['layers'][number];
/** One weight of a layer (`layer.weights`): `read()` gives its value, `write()` replaces it. */
export type LayerVariable = Layer['weights'][number];
/** A symbolic tensor of a model graph (`model.outputs`, `layer.output`). */
export type SymbolicTensor = LayersModel['outputs'][number];
