// Loads TFLite's own C++ interpreter (compiled to wasm, shipped in @tensorflow/tfjs-tflite) into
// Node. The package targets browsers/workers, so Node needs a few shims (see shared/STACK.md):
// `self`, `location`, `importScripts` (read + eval), a global `require`, `fetch` for local
// paths, and no `MessageChannel` while it probes features so it picks the non-threaded build.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { pathToFileURL, fileURLToPath } from 'node:url';

/** The subset of the tfweb runner API we use. */
export interface TfliteWebTensor {
  id: number;
  dataType: string;
  name: string;
  shape: string;
  data(): Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
}

export interface TfliteWebRunner {
  getInputs(): TfliteWebTensor[];
  getOutputs(): TfliteWebTensor[];
  infer(): boolean;
  cleanUp(): void;
}

interface TfwebApi {
  TFLiteWebModelRunner: { create(model: ArrayBuffer, options: { numThreads?: number; enableProfiling?: boolean }): Promise<TfliteWebRunner> };
  tflite_web_api: { setWasmPath(p: string): void; getWasmFeatures(): Promise<{ simd: boolean; multiThreading: boolean }> };
}

let loading: Promise<TfwebApi> | undefined;

function installShims(): void {
  const g = globalThis as any;
  const require = createRequire(import.meta.url);
  if (!g.require) g.require = require;
  if (!g.self) g.self = g;
  if (!g.location) {
    const href = pathToFileURL(process.cwd() + '/').href;
    g.location = { href, origin: 'file://', protocol: 'file:', pathname: process.cwd() + '/' };
  }
  if (!g.importScripts) {
    g.importScripts = (...urls: string[]) => {
      for (const url of urls) {
        const file = url.startsWith('file:') ? fileURLToPath(url) : url;
        vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
      }
    };
  }
  const originalFetch = g.fetch as typeof fetch;
  if (!g.__condenseFetchShim) {
    g.__condenseFetchShim = true;
    g.fetch = async (input: any, init?: any) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith('file:') || url.startsWith('/')) {
        const file = url.startsWith('file:') ? fileURLToPath(url) : url;
        const bytes = await readFile(file);
        const type = file.endsWith('.wasm') ? 'application/wasm' : 'application/javascript';
        return new Response(bytes, { headers: { 'content-type': type } });
      }
      return originalFetch(input, init);
    };
  }
}

async function load(): Promise<TfwebApi> {
  installShims();
  const g = globalThis as any;
  const require = createRequire(import.meta.url);
  const pkgMain = require.resolve('@tensorflow/tfjs-tflite');
  const wasmDir = path.join(path.dirname(pkgMain), '..', 'wasm') + '/';
  require(pkgMain);
  const tfweb = g.tfweb as TfwebApi | undefined;
  if (!tfweb) throw new Error('tfjs-tflite did not register its tfweb client');
  tfweb.tflite_web_api.setWasmPath(wasmDir);
  // Threads need workers that Node lacks here: hide MessageChannel during the feature probe.
  const channel = g.MessageChannel;
  g.MessageChannel = undefined;
  try {
    await tfweb.tflite_web_api.getWasmFeatures();
  } finally {
    g.MessageChannel = channel;
  }
  return tfweb;
}

/** The TFLite web API, loaded once per process. */
export function loadTfweb(): Promise<TfwebApi> {
  loading ??= load();
  return loading;
}
