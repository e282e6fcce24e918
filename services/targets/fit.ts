// Does an exported model fit a hardware target? Each failed rule comes back with a reason a
// person can act on, together with the estimated on-target latency.

import { getTarget } from './catalog.ts';
import { estimateLatencyMs } from './latency.ts';
import { TFLITE_BUILTIN_OPS } from './ops.ts';
import type { FitFailure, FitOptions, FitResult, HardwareTarget, TargetArtifact } from './types.ts';

const BUILTINS = new Set(TFLITE_BUILTIN_OPS);

export function checkTargetFit(targetOrId: HardwareTarget | string, artifact: TargetArtifact, options: FitOptions = {}): FitResult {
  const target = typeof targetOrId === 'string' ? getTarget(targetOrId) : targetOrId;
  assertArtifact(artifact);
  const failures: FitFailure[] = [];

  const targetOps = new Set(target.ops);
  const ops = unique(artifact.ops.map((op) => op.toUpperCase()));
  const unsupported = ops.filter((op) => !targetOps.has(op));
  if (unsupported.length > 0) {
    const described = unsupported.map((op) => (BUILTINS.has(op) ? op : `${op} (not a TFLite builtin op)`));
    failures.push({ rule: 'op-set', message: `${target.id} cannot run op${unsupported.length > 1 ? 's' : ''} ${described.join(', ')}` });
  }

  const allowedTypes = new Set(target.tensorTypes);
  const types = unique(artifact.tensorTypes.map((t) => t.toLowerCase()));
  const badTypes = types.filter((t) => !allowedTypes.has(t));
  if (badTypes.length > 0) {
    failures.push({
      rule: 'tensor-types',
      message: `${target.id} does not support tensor type${badTypes.length > 1 ? 's' : ''} ${badTypes.join(', ')} (allowed: ${target.tensorTypes.join(', ')}; export with quantization '${target.preferredQuantization}'${target.preferredQuantization === 'int8' ? ' and int8 input/output' : ''})`,
    });
  }
  if (target.requiredTensorTypes && !target.requiredTensorTypes.some((t) => types.includes(t))) {
    failures.push({
      rule: 'tensor-types',
      message: `${target.id} runs ${target.requiredTensorTypes.join('/')} kernels but the model has no ${target.requiredTensorTypes.join('/')} tensors (export with quantization '${target.preferredQuantization}')`,
    });
  }

  if (artifact.bytes > target.maxFileBytes) {
    failures.push({ rule: 'file-size', message: `model file is ${formatBytes(artifact.bytes)}, over the ${formatBytes(target.maxFileBytes)} ${target.runtime === 'tflite-micro' ? 'flash' : 'file-size'} budget of ${target.id}` });
  }

  const workingBytes = artifact.peakActivationBytes + target.runtimeOverheadBytes;
  if (workingBytes > target.maxActivationBytes) {
    const overhead = target.runtimeOverheadBytes > 0 ? ` (+ ${formatBytes(target.runtimeOverheadBytes)} runtime overhead)` : '';
    failures.push({ rule: 'activation-memory', message: `peak activation memory is ${formatBytes(artifact.peakActivationBytes)}${overhead}, over the ${formatBytes(target.maxActivationBytes)} ${target.runtime === 'tflite-micro' ? 'RAM' : 'activation-memory'} budget of ${target.id}` });
  }

  const estimatedLatencyMs = estimateLatencyMs(target, artifact);
  if (options.maxLatencyMs !== undefined && estimatedLatencyMs > options.maxLatencyMs) {
    failures.push({ rule: 'latency-budget', message: `estimated latency on ${target.id} is ${estimatedLatencyMs.toFixed(2)} ms, over the ${options.maxLatencyMs} ms budget` });
  }

  return { target: target.id, fits: failures.length === 0, failures, estimatedLatencyMs };
}

function assertArtifact(a: TargetArtifact): void {
  if (!a || typeof a !== 'object') throw new TypeError('artifact must be an object');
  for (const key of ['bytes', 'peakActivationBytes', 'macs', 'weightBytes'] as const) {
    const v = a[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`artifact.${key} must be a non-negative number, got ${String(v)}`);
  }
  for (const key of ['opCount', 'activationBytesMoved'] as const) {
    const v = a[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new TypeError(`artifact.${key} must be a non-negative number, got ${String(v)}`);
  }
  for (const key of ['ops', 'tensorTypes'] as const) {
    const v = a[key];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new TypeError(`artifact.${key} must be an array of strings`);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} B`;
}
