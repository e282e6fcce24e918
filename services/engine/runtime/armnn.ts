// Runs .tflite models with Arm NN (Debian: python3-pyarmnn libarmnntfliteparser22
// libarmnn-cpuref-backend22) through a small Python script, fed by temporary files.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeTflite } from '../export/flatbuffer-writer.ts';
import { readTfliteModel } from '../export/tflite-reader.ts';
import { withConstantFloatWeights } from './constant-weights.ts';

export const ARMNN_DEBIAN_PACKAGES = ['python3-pyarmnn', 'libarmnntfliteparser22', 'libarmnn-cpuref-backend22'];
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'armnn_runner.py');

export interface ArmNnResult {
  /** Float outputs of all samples, concatenated. */
  output: Float32Array;
  /** Output shape of one inference (batch 1). */
  outputShape: number[];
  /** Rewrites applied so Arm NN could parse the file (see constant-weights.ts); empty if none. */
  rewrites: string[];
}

function debianPackageInstalled(name: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}

let unavailable: string | undefined | null = null;

/** Why Arm NN cannot run here (missing Debian packages), or undefined when it can. */
export function armNnUnavailableReason(): string | undefined {
  if (unavailable !== null) return unavailable;
  const missing = ARMNN_DEBIAN_PACKAGES.filter((p) => !debianPackageInstalled(p));
  if (!existsSync(PYTHON)) unavailable = `Arm NN needs ${PYTHON}, which is missing`;
  else if (missing.length) unavailable = `Arm NN is not installed: apt-get install ${missing.join(' ')}`;
  else unavailable = undefined;
  return unavailable;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const line = stderr.trim().split('\n').pop() || err.message;
        reject(new Error(`Arm NN: ${line}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * Runs `input` ([batch, ...sample] row-major) one sample at a time through Arm NN's CpuRef
 * backend. Float16 / dynamic-range files get their weights expanded to float32 constants first.
 */
export async function runArmNn(bytes: Uint8Array, input: Float32Array, shape: number[]): Promise<ArmNnResult> {
  const reason = armNnUnavailableReason();
  if (reason) throw new Error(reason);
  const count = shape[0];
  if (input.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`input of ${input.length} values does not match shape [${shape}]`);
  const { spec, rewrites } = withConstantFloatWeights(readTfliteModel(bytes));
  const modelBytes = rewrites.length ? serializeTflite(spec) : bytes;
  const dir = await mkdtemp(path.join(tmpdir(), 'condense-armnn-'));
  try {
    const model = path.join(dir, 'model.tflite');
    const inputPath = path.join(dir, 'input.f32');
    const output = path.join(dir, 'output.f32');
    await writeFile(model, modelBytes);
    await writeFile(inputPath, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    const stdout = await run([model, inputPath, String(count), output]);
    const meta = JSON.parse(stdout.trim().split('\n').pop()!) as { outputShape: number[] };
    const raw = await readFile(output);
    const out = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { output: out, outputShape: meta.outputShape, rewrites };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
