// The built-in backend providers: tfjs-node(-gpu) native TensorFlow when installed, wasm with
// SIMD (the default here), WebGPU through Dawn's `webgpu` package when installed, and cpu.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './kernels/register.ts';
import type { BackendProvider } from './provider.ts';

const require = createRequire(import.meta.url);

/** Imports an optional package that may be absent; the variable specifier keeps tsc from resolving it. */
async function importOptional(specifier: string): Promise<any> {
  try {
    return await import(specifier);
  } catch (err) {
    throw new Error(`package '${specifier}' is not installed or failed to load (${(err as Error).message.split('\n')[0]})`);
  }
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
}

export const tensorflowProvider: BackendProvider = {
  name: 'tensorflow',
  autoPriority: 0,
  async load() {
    // optionalDependency: registers the 'tensorflow' backend on import when its native binary exists
    await importOptional('@tensorflow/tfjs-node-gpu');
    await activate('tensorflow');
  },
};

export const wasmProvider: BackendProvider = {
  name: 'wasm',
  autoPriority: 1,
  async load() {
    // load the .wasm binaries from node_modules, never over the network
    setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    registerWasmGradientKernels('wasm');
    await activate('wasm');
  },
};

/**
 * WebGPU through Dawn's Node binding (npm `webgpu`, not a dependency: install it and
 * `@tensorflow/tfjs-backend-webgpu` to use this). CONDENSE_DAWN_FLAGS passes Dawn options
 * (comma-separated, e.g. `backend=opengles`); CONDENSE_WEBGPU_COMPAT=1 asks for a
 * compatibility-mode adapter, which is what software GL (llvmpipe) offers on CPU-only hosts.
 */
export const webgpuProvider: BackendProvider = {
  name: 'webgpu',
  autoPriority: null, // software rendering on CPU-only hosts is slower than wasm: opt-in only
  async load() {
    const dawn = await importOptional('webgpu');
    const g = globalThis as any;
    if (g.navigator?.gpu == null) {
      Object.assign(g, dawn.globals);
      const gpu = dawn.create((process.env.CONDENSE_DAWN_FLAGS ?? '').split(',').filter(Boolean));
      if (process.env.CONDENSE_WEBGPU_COMPAT === '1') {
        const request = gpu.requestAdapter.bind(gpu);
        gpu.requestAdapter = (options: object = {}) => request({ ...options, featureLevel: 'compatibility' });
      }
      if (g.navigator == null) g.navigator = { gpu };
      else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    }
    await importOptional('@tensorflow/tfjs-backend-webgpu');
    await activate('webgpu');
  },
};

export const cpuProvider: BackendProvider = {
  name: 'cpu',
  autoPriority: 2,
  async load() {
    await activate('cpu');
  },
};
