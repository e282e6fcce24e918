// initEngine picks, switches and reports backends; bad preferences fail with one clear line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initEngine, activeBackend } from '../../services/engine/backend/index.ts';

test('auto picks wasm with SIMD here (tfjs-node-gpu is not installed) and is idempotent', async () => {
  delete process.env.CONDENSE_BACKEND;
  assert.equal(await initEngine(), 'wasm');
  assert.equal(await initEngine('auto'), 'wasm');
  assert.equal(activeBackend(), 'wasm');
  assert.equal(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), true);
  for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']) {
    assert.ok(tf.getKernel(k, 'wasm'), `${k} registered for wasm`);
  }
});

test('explicit backends switch, and CONDENSE_BACKEND overrides auto', async () => {
  assert.equal(await initEngine('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  process.env.CONDENSE_BACKEND = 'wasm';
  try {
    assert.equal(await initEngine(), 'wasm');
    process.env.CONDENSE_BACKEND = 'cpu';
    assert.equal(await initEngine(), 'cpu');
    process.env.CONDENSE_BACKEND = 'gpu-please';
    await assert.rejects(initEngine(), /CONDENSE_BACKEND must be one of auto, tensorflow, webgpu, wasm, cpu; got 'gpu-please'/);
  } finally {
    delete process.env.CONDENSE_BACKEND;
  }
  assert.equal(await initEngine('wasm'), 'wasm');
});

test('an unavailable backend names itself and the reason', async () => {
  await assert.rejects(initEngine('webgpu'), /^Error: backend 'webgpu' is unavailable: package 'webgpu' is not installed/);
  await assert.rejects(initEngine('tensorflow'), /backend 'tensorflow' is unavailable/);
  await assert.rejects(initEngine('tpu' as never), /backend must be one of/);
  assert.equal(await initEngine('wasm'), 'wasm'); // still usable afterwards
});
