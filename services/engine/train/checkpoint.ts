// Training checkpoints: model weights, optimizer state and the loop's position (epoch, step,
// RNG state, partial epoch sums, early-stopping state) in ONE file, written to a temp name and
// renamed, so a crash never leaves a half-written checkpoint.
// Layout: "CNDSCKPT" | uint32 header length | JSON header | raw little-endian tensor bytes.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.ts';
import type { EpochSummary } from './types.ts';

export interface CheckpointOptions {
  /** Directory holding `checkpoint.bin` (created when missing). */
  dir: string;
  /** Also save every N completed batches (a checkpoint is always saved at each epoch end and on cancel). */
  everySteps?: number;
  /** Models whose weights (trainable and not) are saved, by a stable key. */
  models: Record<string, tf.LayersModel>;
  /** Optimizers whose slots (moments, iteration count) are saved, by a stable key. */
  optimizers: Record<string, tf.Optimizer>;
  /** Continue from an existing checkpoint in `dir` (default true). */
  resume?: boolean;
}

/** Where the loop stands; plain JSON. */
export interface LoopPosition {
  /** 0-based epoch in progress (== epochs when finished). */
  epoch: number;
  /** Batches already done in that epoch. */
  step: number;
  globalStep: number;
  rngState: number;
  /** Partial sums of the step values over the epoch so far, and how many steps they cover. */
  sums: Record<string, number>;
  sumSteps: number;
  history: EpochSummary[];
  early: { best: number | null; bestEpoch: number | null; wait: number };
  stopped: boolean;
}

interface TensorEntry { key: string; dtype: tf.DataType; shape: number[]; offset: number; bytes: number }
interface Header { version: 1; position: LoopPosition; tensors: TensorEntry[] }

const MAGIC = 'CNDSCKPT';
const FILE = 'checkpoint.bin';

export function checkpointPath(dir: string): string {
  return path.join(dir, FILE);
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(checkpointPath(dir));
}

async function collectTensors(opts: CheckpointOptions): Promise<Array<{ key: string; tensor: tf.Tensor; owned: boolean }>> {
  const out: Array<{ key: string; tensor: tf.Tensor; owned: boolean }> = [];
  for (const [name, model] of Object.entries(opts.models)) {
    model.weights.forEach((w, i) => out.push({ key: `model/${name}/${i}`, tensor: w.read(), owned: false }));
  }
  for (const [name, optimizer] of Object.entries(opts.optimizers)) {
    const weights = await optimizer.getWeights();
    // slot variables belong to the optimizer; only the iteration scalar is a fresh tensor
    weights.forEach((w, i) => out.push({ key: `optimizer/${name}/${i}`, tensor: w.tensor, owned: !(w.tensor instanceof tf.Variable) }));
  }
  return out;
}

export async function saveCheckpoint(opts: CheckpointOptions, position: LoopPosition): Promise<void> {
  const tensors = await collectTensors(opts);
  try {
    const entries: TensorEntry[] = [];
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const { key, tensor } of tensors) {
      const data = await tensor.data();
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      entries.push({ key, dtype: tensor.dtype, shape: tensor.shape, offset, bytes: bytes.byteLength });
      chunks.push(bytes);
      offset += bytes.byteLength;
    }
    const header = new TextEncoder().encode(JSON.stringify({ version: 1, position, tensors: entries } satisfies Header));
    const prefix = new Uint8Array(MAGIC.length + 4);
    prefix.set(new TextEncoder().encode(MAGIC));
    new DataView(prefix.buffer).setUint32(MAGIC.length, header.byteLength, true);
    await mkdir(opts.dir, { recursive: true });
    const target = checkpointPath(opts.dir);
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat([prefix, header, ...chunks]));
    await rename(tmp, target);
  } finally {
    for (const t of tensors) if (t.owned) t.tensor.dispose();
  }
}

/** Restores models and optimizers in place and returns the loop position. */
export async function loadCheckpoint(opts: CheckpointOptions): Promise<LoopPosition> {
  const file = checkpointPath(opts.dir);
  const raw = await readFile(file);
  const fail = (why: string): never => { throw new Error(`checkpoint ${file} ${why}`); };
  if (raw.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) fail('is not a Condense checkpoint');
  const headerLength = raw.readUInt32LE(MAGIC.length);
  const body = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(raw.subarray(MAGIC.length + 4, body).toString('utf8')) as Header;
  if (header.version !== 1) fail(`has unsupported version ${header.version}`);
  const byKey = new Map(header.tensors.map((e) => [e.key, e]));
  const read = (key: string): tf.Tensor => {
    const e = byKey.get(key) ?? fail(`lacks tensor '${key}' (different model or optimizer?)`);
    const bytes = raw.subarray(body + e.offset, body + e.offset + e.bytes);
    const copy = new Uint8Array(bytes).buffer; // aligned copy
    const values = e.dtype === 'int32' ? new Int32Array(copy) : e.dtype === 'bool' ? new Uint8Array(copy) : new Float32Array(copy);
    return tf.tensor(values, e.shape, e.dtype);
  };
  for (const [name, model] of Object.entries(opts.models)) {
    const values = model.weights.map((w, i) => {
      const t = read(`model/${name}/${i}`);
      if (!tf.util.arraysEqual(t.shape, w.shape as number[])) {
        t.dispose();
        fail(`holds weight ${i} of model '${name}' with shape [${t.shape}] but the model has [${w.shape}]`);
      }
      return t;
    });
    if (header.tensors.some((e) => e.key === `model/${name}/${values.length}`)) fail(`holds more weights for model '${name}' than it has`);
    model.setWeights(values);
    tf.dispose(values);
  }
  for (const [name, optimizer] of Object.entries(opts.optimizers)) {
    const prefix = `optimizer/${name}/`;
    const count = header.tensors.filter((e) => e.key.startsWith(prefix)).length;
    if (count === 0) fail(`has no state for optimizer '${name}'`);
    const named = Array.from({ length: count }, (_, i) => ({ name: `${name}/${i}`, tensor: read(`${prefix}${i}`) }));
    await optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
  }
  return header.position;
}
