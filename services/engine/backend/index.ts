// The single import point of tfjs for Condense: `tf` plus `initEngine`, which picks and
// initialises a backend once (native TensorFlow if installed, else wasm+SIMD, else cpu).
import * as tf from '@tensorflow/tfjs';
import {
  autoProviders, getBackendProvider, providerNames, registerBackendProvider,
  type BackendName, type BackendPreference, type BackendProvider,
} from './provider.ts';
import { cpuProvider, tensorflowProvider, wasmProvider, webgpuProvider } from './providers.ts';

export { tf, registerBackendProvider };
export type { BackendName, BackendPreference, BackendProvider };
export { registerWasmGradientKernels } from './kernels/register.ts';
import '../layers/index.ts'; // Keras layers tfjs lacks (Subtract, SpatialDropout2D, Normalization, hard_swish)

for (const p of [tensorflowProvider, wasmProvider, webgpuProvider, cpuProvider]) registerBackendProvider(p);

/**
 * tfjs's cpu backend prints an "install tfjs-node" banner on first use in Node; Condense picks
 * its backend itself (and tfjs-node does not install here), so the banner only misleads.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

const loaded = new Map<BackendName, Promise<void>>();
/** What 'auto' resolved to, so later calls do not retry providers that failed. */
let autoChoice: BackendName | null = null;

const PREFERENCES: BackendPreference[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

function parsePreference(value: string, source: string): BackendPreference {
  if ((PREFERENCES as string[]).includes(value)) return value as BackendPreference;
  throw new Error(`${source} must be one of ${PREFERENCES.join(', ')}; got '${value}'`);
}

/** Loads a provider once; later calls only switch tfjs back to it. */
async function use(name: BackendName): Promise<void> {
  const provider = getBackendProvider(name);
  if (provider == null) throw new Error(`unknown backend '${name}'; known: ${providerNames().join(', ')}`);
  let pending = loaded.get(name);
  if (pending == null) {
    pending = provider.load();
    loaded.set(name, pending);
    pending.catch(() => loaded.delete(name));
    await pending;
    return;
  }
  await pending;
  if (tf.getBackend() !== name) {
    await tf.setBackend(name);
    await tf.ready();
  }
}

/**
 * Makes `preferred` (or, for 'auto', CONDENSE_BACKEND or the best available provider) the active
 * tfjs backend and returns its name. Idempotent and cheap to call before every engine entry point.
 */
export async function initEngine(preferred: BackendPreference = 'auto'): Promise<BackendName> {
  silenceCpuBanner();
  let pref = parsePreference(preferred, 'backend');
  if (pref === 'auto' && process.env.CONDENSE_BACKEND) {
    pref = parsePreference(process.env.CONDENSE_BACKEND, 'CONDENSE_BACKEND');
  }
  if (pref !== 'auto') {
    try {
      await use(pref);
    } catch (err) {
      throw new Error(`backend '${pref}' is unavailable: ${(err as Error).message}`);
    }
    return pref;
  }
  if (autoChoice) {
    await use(autoChoice);
    return autoChoice;
  }
  const failures: string[] = [];
  for (const provider of autoProviders()) {
    try {
      await use(provider.name);
      autoChoice = provider.name;
      return provider.name;
    } catch (err) {
      failures.push(`${provider.name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised (${failures.join('; ')})`);
}

/** Name of the active backend (after `initEngine`). */
export function activeBackend(): string {
  return tf.getBackend();
}
