import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import semver from 'semver';
import {
  CATALOG_VERSION, checkTargetFit, estimateLatency, getTarget, listTargets, TFLITE_BUILTIN_OPS, UnknownTargetError,
  type TargetArtifact,
} from '../../services/targets/index.ts';

const KB = 1024;
const MB = 1024 * 1024;

/** A small float32 MLP as exportTflite(…, {quantization:'float32'}) would describe it. */
const floatMlp: TargetArtifact = {
  bytes: 410 * KB, ops: ['FULLY_CONNECTED', 'FULLY_CONNECTED', 'SOFTMAX'], tensorTypes: ['float32'],
  peakActivationBytes: 4 * (784 + 128), macs: 784 * 128 + 128 * 10, weightBytes: 4 * (784 * 128 + 128 * 10),
};
/** The same MLP fully quantized with int8 input and output. */
const int8Mlp: TargetArtifact = {
  bytes: 104 * KB, ops: ['FULLY_CONNECTED', 'FULLY_CONNECTED', 'SOFTMAX'], tensorTypes: ['int8', 'int32'],
  peakActivationBytes: 784 + 128, macs: 784 * 128 + 128 * 10, weightBytes: 784 * 128 + 128 * 10,
};

describe('hardware-target catalog', () => {
  it('is versioned and lists the required targets with consistent fields', () => {
    assert.ok(semver.valid(CATALOG_VERSION), 'CATALOG_VERSION is semver');
    const ids = listTargets().map((t) => t.id);
    for (const id of ['cpu-fp32', 'cpu-int8', 'gpu-fp16', 'edgetpu-int8', 'mcu-int8', 'browser-wasm']) assert.ok(ids.includes(id), id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    const builtins = new Set(TFLITE_BUILTIN_OPS);
    for (const t of listTargets()) {
      for (const op of t.ops) assert.ok(builtins.has(op), `${t.id}: ${op} is a TFLite builtin`);
      assert.ok(t.acceptedQuantizations.includes(t.preferredQuantization), `${t.id} accepts its preferred quantization`);
      for (const v of [t.latency.macsPerSecond, t.latency.bytesPerSecond, t.maxFileBytes, t.maxActivationBytes]) assert.ok(v > 0);
      assert.match(t.latency.source, /estimate/);
    }
    const mcu = getTarget('mcu-int8');
    assert.ok(mcu.maxActivationBytes <= 256 * KB && mcu.maxFileBytes <= 1 * MB);
  });

  it('getTarget names an unknown id and the known ones', () => {
    assert.throws(() => getTarget('tpu-v9'), (e: unknown) => e instanceof UnknownTargetError && /unknown hardware target "tpu-v9".*cpu-fp32/.test(e.message));
    assert.throws(() => checkTargetFit('nope', floatMlp), UnknownTargetError);
  });

  it('cannot be mutated by a caller', () => {
    assert.throws(() => { (getTarget('cpu-fp32') as { maxFileBytes: number }).maxFileBytes = 1; }, TypeError);
  });
});

describe('checkTargetFit', () => {
  it('a float MLP fits the phone CPU, GPU and browser but not the int8-only targets', () => {
    for (const id of ['cpu-fp32', 'gpu-fp16', 'browser-wasm']) {
      const r = checkTargetFit(id, floatMlp);
      assert.deepEqual(r.failures, [], id);
      assert.equal(r.fits, true);
    }
    for (const id of ['edgetpu-int8', 'mcu-int8', 'cpu-int8']) {
      const r = checkTargetFit(id, floatMlp);
      assert.equal(r.fits, false, id);
      assert.ok(r.failures.some((f) => f.rule === 'tensor-types'), `${id}: ${JSON.stringify(r.failures)}`);
    }
    assert.match(checkTargetFit('mcu-int8', floatMlp).failures.map((f) => f.message).join(' '), /float32.*export with quantization 'int8'/);
  });

  it('an int8 MLP fits the microcontroller and the Edge TPU', () => {
    for (const id of ['mcu-int8', 'edgetpu-int8', 'cpu-int8', 'cpu-fp32']) assert.deepEqual(checkTargetFit(id, int8Mlp).failures, [], id);
    // tfjs has no int8 tensors.
    assert.deepEqual(checkTargetFit('browser-wasm', int8Mlp).failures.map((f) => f.rule), ['tensor-types']);
  });

  it('names the ops a restricted target cannot run, and non-builtin names', () => {
    const r = checkTargetFit('edgetpu-int8', { ...int8Mlp, ops: ['FULLY_CONNECTED', 'LSTM', 'my_custom_op'] });
    assert.equal(r.fits, false);
    const opSet = r.failures.find((f) => f.rule === 'op-set');
    assert.ok(opSet);
    assert.match(opSet.message, /LSTM/);
    assert.match(opSet.message, /MY_CUSTOM_OP \(not a TFLite builtin op\)/);
    assert.doesNotMatch(opSet.message, /FULLY_CONNECTED/);
    // The CPU interpreter has LSTM.
    assert.deepEqual(checkTargetFit('cpu-int8', { ...int8Mlp, ops: ['LSTM'] }).failures, []);
  });

  it('flags flash and RAM budgets on the microcontroller', () => {
    const big = checkTargetFit('mcu-int8', { ...int8Mlp, bytes: 1 * MB, weightBytes: 1 * MB - 4 * KB });
    assert.deepEqual(big.failures.map((f) => f.rule), ['file-size']);
    assert.match(big.failures[0].message, /1 MB.*flash budget of mcu-int8/);
    // 240 KB of activations + 24 KB runtime overhead exceeds 256 KB RAM; 200 KB does not.
    assert.deepEqual(checkTargetFit('mcu-int8', { ...int8Mlp, peakActivationBytes: 240 * KB }).failures.map((f) => f.rule), ['activation-memory']);
    assert.deepEqual(checkTargetFit('mcu-int8', { ...int8Mlp, peakActivationBytes: 200 * KB }).failures, []);
  });

  it('reports several failed rules at once', () => {
    const r = checkTargetFit('mcu-int8', { ...floatMlp, bytes: 4 * MB, ops: ['GELU'], peakActivationBytes: 1 * MB });
    assert.deepEqual(new Set(r.failures.map((f) => f.rule)), new Set(['op-set', 'tensor-types', 'file-size', 'activation-memory']));
  });

  it('adds a latency-budget failure when the estimate exceeds the budget', () => {
    const ms = checkTargetFit('mcu-int8', int8Mlp).estimatedLatencyMs;
    assert.equal(checkTargetFit('mcu-int8', int8Mlp, { maxLatencyMs: ms * 2 }).fits, true);
    const r = checkTargetFit('mcu-int8', int8Mlp, { maxLatencyMs: ms / 2 });
    assert.deepEqual(r.failures.map((f) => f.rule), ['latency-budget']);
  });

  it('rejects a malformed artifact with one line naming the field', () => {
    assert.throws(() => checkTargetFit('cpu-fp32', { ...floatMlp, macs: -1 }), /artifact\.macs must be a non-negative number/);
    assert.throws(() => checkTargetFit('cpu-fp32', { ...floatMlp, ops: 'CONV_2D' as unknown as string[] }), /artifact\.ops must be an array of strings/);
  });
});

describe('latency cost model', () => {
  // MobileNet V1 1.0/224: 569 M MACs, 4.2 M parameters, largest activation pair ~ 112×112×64 ×2.
  const mobilenetFloat: TargetArtifact = {
    bytes: 16.9 * MB, ops: Array(31).fill('CONV_2D'), tensorTypes: ['float32'], peakActivationBytes: 4 * 2 * 112 * 112 * 64,
    macs: 569e6, weightBytes: 16.9 * MB, opCount: 31,
  };
  const mobilenetInt8: TargetArtifact = { ...mobilenetFloat, bytes: 4.3 * MB, tensorTypes: ['int8'], peakActivationBytes: 2 * 112 * 112 * 64, weightBytes: 4.3 * MB };

  it('lands in the published ranges its constants come from', () => {
    const cpu = checkTargetFit('cpu-fp32', mobilenetFloat).estimatedLatencyMs;
    assert.ok(cpu > 15 && cpu < 60, `cpu-fp32 MobileNet V1 ${cpu} ms`);
    const int8 = checkTargetFit('cpu-int8', mobilenetInt8).estimatedLatencyMs;
    assert.ok(int8 > 5 && int8 < 25 && int8 < cpu, `cpu-int8 MobileNet V1 ${int8} ms`);
    const tpu = checkTargetFit('edgetpu-int8', mobilenetInt8).estimatedLatencyMs;
    assert.ok(tpu > 1 && tpu < 10 && tpu < int8, `edgetpu MobileNet V1 ${tpu} ms`);
  });

  it('is a roofline: compute-bound and memory-bound models take the larger term', () => {
    const t = getTarget('cpu-fp32');
    const compute = estimateLatency(t, { ...floatMlp, macs: 1e9, weightBytes: 1000, peakActivationBytes: 100 });
    assert.ok(compute.computeMs > compute.memoryMs);
    assert.ok(Math.abs(compute.totalMs - (compute.computeMs + compute.overheadMs)) < 1e-9);
    const memory = estimateLatency(t, { ...floatMlp, macs: 1000, weightBytes: 100 * MB });
    assert.ok(memory.memoryMs > memory.computeMs);
    assert.ok(Math.abs(memory.totalMs - (memory.memoryMs + memory.overheadMs)) < 1e-9);
    // Doubling MACs of a compute-bound model roughly doubles the compute term.
    const doubled = estimateLatency(t, { ...floatMlp, macs: 2e9, weightBytes: 1000, peakActivationBytes: 100 });
    assert.ok(Math.abs(doubled.computeMs - 2 * compute.computeMs) < 1e-9);
    // Per-op overhead counts operators.
    const more = estimateLatency(t, { ...floatMlp, opCount: 103 });
    assert.ok(Math.abs(more.overheadMs - estimateLatency(t, { ...floatMlp, opCount: 3 }).overheadMs - 100 * t.latency.perOpOverheadMs) < 1e-9);
  });

  it('charges Edge TPU weights beyond the 8 MB parameter cache at USB speed', () => {
    const t = getTarget('edgetpu-int8');
    const small = estimateLatency(t, { ...mobilenetInt8, macs: 1e6, weightBytes: 6 * MB });
    const large = estimateLatency(t, { ...mobilenetInt8, macs: 1e6, weightBytes: 12 * MB });
    // 4 MB streamed at ~320 MB/s adds > 10 ms; the same bytes on chip would add ~0.1 ms.
    assert.ok(large.memoryMs - small.memoryMs > 10, `${large.memoryMs} vs ${small.memoryMs}`);
  });
});
