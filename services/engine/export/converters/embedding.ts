// Embedding → CAST (float ids → int32) + GATHER over the table: float32 [batch, steps] token ids in,
// [batch, steps, dim] rows out. In int8 models the table is int8 (per-tensor, symmetric) and
// GATHER returns int8 rows with the table's scale; in dynamic-int8 models the table is stored
// int8 and DEQUANTIZEd at load. With mask_zero the step mask (id ≠ 0, as float 0/1) is computed
// from the int32 ids (MINIMUM(ids, 1) → CAST) and recorded on the graph for masked pooling.
import { tf } from '../../backend/index.ts';
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';
import { registerOpSpec } from '../op-specs.ts';

function convertEmbedding(c: LayerConversion): number[] {
  const g = c.graph;
  const name = c.layer.name;
  const table = c.requireWeight('embeddings');
  const [, steps] = g.tensors[c.inputs[0]].shape;
  if (g.tensors[c.inputs[0]].shape.length !== 2) throw new UnsupportedLayerError(`layer '${name}' (Embedding): input must be [batch, steps] token ids, got [${g.tensors[c.inputs[0]].shape}]`);
  const dim = table.shape[1];
  const ids = g.addOp('CAST', [c.inputs[0]], `${name}/ids`, [-1, steps]);
  g.tensors[ids].dtype = 'int32';
  const weights = g.addConstant(`${name}/embeddings`, table.shape, table.values);
  const rows = g.addOp('GATHER', [weights, ids], name, [-1, steps, dim], { kind: 'GatherOptions', axis: 0 });
  if (c.config.maskZero) {
    const one = g.addIntConstant(`${name}/one`, [1]);
    const isToken = g.addOp('MINIMUM', [ids, one], `${name}/is_token`, [-1, steps], { kind: 'MaximumMinimumOptions' });
    g.tensors[isToken].dtype = 'int32';
    const asFloat = g.addOp('CAST', [isToken], `${name}/mask_float`, [-1, steps]);
    const shape = g.addIntConstant(`${name}/mask_shape`, [-1, steps, 1]);
    g.masks.set(rows, g.addOp('RESHAPE', [asFloat, shape], `${name}/mask`, [-1, steps, 1], { kind: 'ReshapeOptions', newShape: [-1, steps, 1] }));
  }
  return [rows];
}

registerLayerConverter('Embedding', convertEmbedding);

registerOpSpec('GATHER', {
  versions: { float: 1, int8: 2 },
  weights: { input: 0, axis: null },
  int8Output: 'weights',
  intInputs: [1],
  dynamicByDequantize: true,
  run: ([table, ids]) => tf.gather(table, tf.cast(ids, 'int32')),
});

registerOpSpec('DIV', {
  versions: { float: 1, int8: 2 },
  int8Output: 'float', // no int8 kernel in every runtime: divides in float
  run: ([a, b]) => tf.div(a, b),
});
