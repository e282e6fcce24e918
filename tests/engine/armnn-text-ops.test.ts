// Which text ops Debian's Arm NN (20.08: python3-pyarmnn, libarmnntfliteparser22) runs, measured
// on minimal one-op files written by our TFLite writer: its TfLiteParser has no GATHER (Embedding),
// no CAST and no LSH_PROJECTION (ProjectionNet) — it refuses each at parse time — while the ops an
// unrolled LSTM/GRU or a ProjectionNet's dense head use load and compute (the FULLY_CONNECTED
// control, so the refusals are about the ops, not the files). If a newer Arm NN parses them, this
// test fails and docs/text.md's Arm NN section must change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeTflite } from '../../services/engine/export/flatbuffer-writer.ts';
import type { TfliteModelSpec } from '../../services/engine/export/tflite-model.ts';
import { armNnUnavailableReason, runArmNn } from '../../services/engine/runtime/index.ts';

const f32 = (a: number[]) => new Uint8Array(new Float32Array(a).buffer);

const ONE_OP: Record<string, TfliteModelSpec> = {
  GATHER: {
    description: 'gather', inputs: [1], outputs: [2],
    tensors: [{ name: 'table', shape: [4, 2], type: 'FLOAT32', data: f32([0, 0, 1, 1, 2, 2, 3, 3]) }, { name: 'ids', shape: [1, 3], type: 'INT32' }, { name: 'rows', shape: [1, 3, 2], type: 'FLOAT32' }],
    operators: [{ op: 'GATHER', version: 1, inputs: [0, 1], outputs: [2], options: { kind: 'GatherOptions', axis: 0 } }],
  },
  CAST: {
    description: 'cast', inputs: [0], outputs: [1],
    tensors: [{ name: 'x', shape: [1, 3], type: 'FLOAT32' }, { name: 'ids', shape: [1, 3], type: 'INT32' }],
    operators: [{ op: 'CAST', version: 1, inputs: [0], outputs: [1] }],
  },
  LSH_PROJECTION: {
    description: 'lsh', inputs: [1], outputs: [3],
    tensors: [
      { name: 'seeds', shape: [4, 8], type: 'FLOAT32', data: f32(Array.from({ length: 32 }, (_, i) => i)) },
      { name: 'x', shape: [3], type: 'FLOAT32' }, { name: 'w', shape: [3], type: 'FLOAT32', data: f32([1, 1, 1]) }, { name: 'bits', shape: [32], type: 'INT32' },
    ],
    operators: [{ op: 'LSH_PROJECTION', version: 1, inputs: [0, 1, 2], outputs: [3], options: { kind: 'LSHProjectionOptions', type: 'DENSE' } }],
  },
};

describe('Arm NN 20.08 and the text ops', { skip: armNnUnavailableReason() }, () => {
  it('runs a FULLY_CONNECTED file (control)', async () => {
    const spec: TfliteModelSpec = {
      description: 'fc', inputs: [0], outputs: [3],
      tensors: [
        { name: 'x', shape: [1, 3], type: 'FLOAT32' }, { name: 'w', shape: [2, 3], type: 'FLOAT32', data: f32([1, 2, 3, -1, 0, 1]) },
        { name: 'b', shape: [2], type: 'FLOAT32', data: f32([0.5, 0]) }, { name: 'y', shape: [1, 2], type: 'FLOAT32' },
      ],
      operators: [{ op: 'FULLY_CONNECTED', version: 1, inputs: [0, 1, 2], outputs: [3], options: { kind: 'FullyConnectedOptions', activation: 'NONE' } }],
    };
    const { output } = await runArmNn(serializeTflite(spec), Float32Array.of(1, 1, 2), [1, 3]);
    assert.deepEqual([...output], [9.5, 1]);
  });

  for (const [op, spec] of Object.entries(ONE_OP)) {
    it(`refuses ${op} at parse time`, async () => {
      await assert.rejects(runArmNn(serializeTflite(spec), new Float32Array(3), [1, 3]), new RegExp(`Operator not supported.*${op}`));
    });
  }
});
