// The sandboxed plugin process (started by services/plugins/run-worker.ts, see sandbox.ts):
// reads a plugin's manifest ('describe'), or initialises the engine, loads the model, runs the
// plugin's `compress` hook and sends the candidates back ('invoke'). The host starts a fresh
// process per job and kills it afterwards; started with `warm` it loads the engine before its
// job arrives. argv: <warm|cold> <backend>.
import type { LayerRegistry, Plugin, PluginContext, PluginLogger, ProgressUpdate } from '@condense/plugin-sdk';
import type { DescribeJob, InvokeJob, LogLevel, WorkerJob } from '../protocol.ts';
import { onHostMessage, send } from './channel.ts';
import { firstLine } from './output.ts';

const [mode, backendArg] = process.argv.slice(2);

// Failures that are memory exhaustion even when they surface as an ordinary exception
// (V8 ArrayBuffer allocation, the wasm heap reaching its maximum).
const OUT_OF_MEMORY = /out of memory|allocation failed|Cannot enlarge memory|Maximum memory size|could not allocate|memory access out of bounds/i;

async function loadPlugin(url: string): Promise<Plugin> {
  let mod: { default?: unknown };
  try {
    mod = await import(url) as { default?: unknown };
  } catch (err) {
    throw new ShapeError(`module failed to load: ${firstLine(err)}`);
  }
  const plugin = mod.default as Plugin | undefined;
  if (!plugin || typeof plugin !== 'object') throw new ShapeError('module must default-export an object { manifest, hooks }');
  if (!plugin.manifest || typeof plugin.manifest !== 'object') throw new ShapeError('default export has no manifest object');
  if (!plugin.hooks || typeof plugin.hooks.compress !== 'function') throw new ShapeError('hooks.compress must be a function');
  if (plugin.hooks.registerLayers !== undefined && typeof plugin.hooks.registerLayers !== 'function') throw new ShapeError('hooks.registerLayers must be a function');
  return plugin;
}

class ShapeError extends Error {}

async function describe(j: DescribeJob): Promise<void> {
  const plugin = await loadPlugin(j.url);
  let manifest;
  try {
    manifest = structuredClone(plugin.manifest);
  } catch {
    throw new ShapeError('manifest must be plain data (no functions or class instances)');
  }
  send({ type: 'described', manifest, hooks: { compress: true, registerLayers: typeof plugin.hooks.registerLayers === 'function' } });
}

async function invoke(j: InvokeJob): Promise<void> {
  const controller = new AbortController();
  onHostMessage((m) => {
    if (m.type === 'abort' && !controller.signal.aborted) controller.abort(new Error(m.reason));
  });
  const { tf, initEngine } = await import('../../engine/backend/index.ts');
  await initEngine(j.backend as Parameters<typeof initEngine>[0]);
  const { deserializeModel } = await import('../model-transfer.ts');
  const { checkOutput } = await import('./output.ts');
  const { createTrainingHelpers } = await import('./training.ts');
  const { RemoteDataset } = await import('./remote-dataset.ts');
  const { createExportHelpers, loadExportRuntime } = await import('./export-helpers.ts');

  // The host-provided layers (HOST_LAYERS) are registered with the engine. A plugin's own
  // registerLayers hook runs here, in its own process only (its ctx.export calls use its converters).
  const { registerLayerConverter } = await import('../../engine/export/index.ts');
  const registry: LayerRegistry = {
    tf,
    registerClass: (cls) => { tf.serialization.registerClass(cls); },
    registerTfliteConverter: (className, converter) => registerLayerConverter(className, converter as unknown as Parameters<typeof registerLayerConverter>[1]),
  };
  const plugin = await loadPlugin(j.url);
  plugin.hooks.registerLayers?.(registry);

  const model = await deserializeModel(j.model);
  const teacher = j.teacher ? await deserializeModel(j.teacher) : undefined;
  const data = j.dataInfo ? new RemoteDataset(j.dataInfo as ConstructorParameters<typeof RemoteDataset>[0]) : undefined;

  const progress = (update: ProgressUpdate): void => {
    if (!update || typeof update.step !== 'number' || !Number.isFinite(update.step)) throw new TypeError('ctx.progress: step must be a finite number');
    send({ type: 'progress', update: plainClone(update) as ProgressUpdate });
  };
  const ctx: PluginContext = {
    model,
    ...(teacher ? { teacher } : {}),
    data: data ?? noData(),
    targets: j.targets,
    tf,
    train: createTrainingHelpers({ data, signal: controller.signal, progress }),
    export: createExportHelpers({ data, signal: controller.signal, ...(j.exportMetadata ? { metadata: j.exportMetadata } : {}) }),
    progress,
    log: logger(),
    signal: controller.signal,
    scratchDir: j.scratchDir,
  };
  // The TFLite interpreter loads its wasm through a fetch shim that reads local files: load it
  // now, then take fetch away, so the shim never serves the plugin.
  await loadExportRuntime();
  // Plugins get data through ctx.data only.
  globalThis.fetch = async () => { throw new Error('plugins have no network access'); };

  const output = await plugin.hooks.compress(ctx, j.config);
  const checked = await checkOutput(output);
  send({ type: 'result', candidates: checked.candidates, invalid: checked.invalid });
}

function noData(): PluginContext['data'] {
  const fail = (): never => { throw new Error('this invocation has no dataset'); };
  return {
    get info(): never { return fail(); },
    batches: fail,
  };
}

function logger(): PluginLogger {
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>): void => {
    send({ type: 'log', level, message: String(message), ...(fields ? { fields: plainClone(fields) as Record<string, unknown> } : {}) });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Structured-cloneable copy: JSON round trip drops functions and tensors a plugin might pass. */
function plainClone(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) ?? 'null');
  }
}

/** The job: the host's first message. */
const job = new Promise<WorkerJob>((resolve) => {
  const off = onHostMessage((m) => {
    if (m.type === 'start') {
      off();
      resolve(m.job);
    }
  });
});

/** Loads the engine and the process's modules ahead of the job. */
async function warm(backend: string): Promise<void> {
  const { initEngine } = await import('../../engine/backend/index.ts');
  await initEngine(backend as Parameters<typeof initEngine>[0]);
  await Promise.all([import('../model-transfer.ts'), import('./output.ts'), import('./training.ts'), import('./remote-dataset.ts')]);
  await (await import('./export-helpers.ts')).loadExportRuntime();
}

try {
  if (mode === 'warm') await warm(backendArg ?? 'auto');
  const j = await job;
  if (j.job === 'describe') await describe(j);
  else await invoke(j);
} catch (err) {
  const message = firstLine(err);
  const reason = err instanceof ShapeError ? 'invalid-output' : OUT_OF_MEMORY.test(message) || err instanceof RangeError && /buffer|memory/i.test(message) ? 'out-of-memory' : 'threw';
  send({ type: 'failed', reason, message });
}
