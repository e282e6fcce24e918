// tfjs types only: at run time plugins receive the host's tfjs namespace as `ctx.tf`, so a
// plugin never loads its own copy of tfjs or picks a backend.
import type * as tfjs from '@tensorflow/tfjs';

/** The `@tensorflow/tfjs` namespace, as handed to hooks in `ctx.tf`. */
export type Tf = typeof tfjs;
export type LayersModel = tfjs.LayersModel;
export type Tensor = tfjs.Tensor;
export type Scalar = tfjs.Scalar;
export type Optimizer = tfjs.Optimizer;
