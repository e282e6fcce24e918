// The plugin host: finds plugins, bundles them, reads and validates their manifests (each in a
// throwaway sandboxed process), validates configs, and runs every invocation in its own sandboxed
// process (services/plugins/sandbox.ts). No plugin code runs in this process — built-in plugins'
// included: a candidate may contain only layers the host provides (the SDK's HOST_LAYERS, whose
// classes and TFLite converters are the engine's), listed in manifest.customLayers; a plugin's
// registerLayers hook runs only inside its own process. Whatever a plugin does, an invocation
// resolves with candidates and/or PluginFailure records; the host stays up.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HOST_LAYERS, SDK_VERSION, type ExportHints, type PluginManifest, type ProgressUpdate, type TargetInfo } from '@condense/plugin-sdk';
import type { tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import type { TfliteMetadata } from '../engine/export/index.ts';
import { sweepStaleEntries } from '../files/stale.ts';
import { getTarget } from '../targets/index.ts';
import { validatePluginConfig } from './config.ts';
import { findBuiltinPlugins, REPO_ROOT, resolvePluginList, type PluginSource } from './discovery.ts';
import { PluginLoadError, UnknownPluginError, type PluginFailure } from './errors.ts';
import { validateManifest } from './manifest.ts';
import { isSerializedModel, type SerializedModel } from './model-transfer.ts';
import { bundlePlugin } from './bundle-plugin.ts';
import { runInWorker, spawnPluginProcess, type LogEntry, type PluginProcess } from './run-worker.ts';
import { SCRATCH_PREFIX } from './sandbox.ts';
import { checkWireOutput } from './wire-check.ts';

export interface PluginHostOptions {
  /** Repository root whose plugins/ holds the built-in plugins (default: this checkout). */
  rootDir?: string;
  /** Load the built-in plugins (default true). */
  builtins?: boolean;
  /** Extra plugins, comma-separated npm names or paths (default: env CONDENSE_PLUGINS). */
  pluginList?: string;
  /** Base directory for relative paths in pluginList (default: process.cwd()). */
  cwd?: string;
  /** tfjs backend the plugin processes initialise (default 'auto': CONDENSE_BACKEND or the best available). */
  backend?: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  /** Wall-clock limit per invocation (default 30 min). */
  timeoutMs?: number;
  /** Memory limit per invocation: the plugin process's resident memory (default 4096 MB). */
  memoryLimitMb?: number;
  /** A lower cap for the plugin process's JS heap alone (default: memoryLimitMb). */
  heapLimitMb?: number;
  /** Limit for reading one plugin's manifest (default 30 s). */
  describeTimeoutMs?: number;
  /** Invocations running at once; more wait in line (default 1: tfjs uses one core per process). */
  concurrency?: number;
  /** After an invocation, start the next plugin process and load the engine in it ahead of time, so the
   * next invocation skips that (default true). Call close() to stop the spare. */
  prewarm?: boolean;
}

export interface InstalledPlugin {
  manifest: PluginManifest;
  /** Where it came from: 'builtin' (plugins/ workspace) or 'env' (CONDENSE_PLUGINS). */
  origin: 'builtin' | 'env';
  specifier: string;
  /** file: URL of its module. */
  url: string;
  /** file: URL of the bundle the sandbox runs. */
  bundleUrl: string;
  /** What a plugin process may read of it: its package directory, or its one file. */
  readPath: string;
  /** It has a registerLayers hook (which runs only inside its own sandboxed process). */
  hasRegisterLayers: boolean;
}

export interface LoadReport {
  plugins: InstalledPlugin[];
  /** Plugins refused at load time, each naming the plugin and the offending field. */
  errors: PluginLoadError[];
}

export interface InvokeRequest {
  /** The model to compress (a LayersModel is serialised here; a SerializedModel is copied). */
  model: tf.LayersModel | SerializedModel;
  teacher?: tf.LayersModel | SerializedModel;
  /** Training/validation data; the plugin never sees the test split. */
  data?: Dataset;
  /** Plugin options; validated against its configSchema, defaults filled. */
  config?: Record<string, unknown>;
  /** Hardware-target ids the run aims at. */
  targets?: string[];
  /** The TFLite metadata (and labels) the run writes into the files of candidates made from this
   * call's models: ctx.export.evaluate measures files with it, so a plugin sizing a model to a
   * byte budget counts it (services/activities/model-metadata.ts, stepMetadata). */
  exportMetadata?: TfliteMetadata;
  signal?: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
  onLog?: (entry: LogEntry) => void;
  timeoutMs?: number;
  memoryLimitMb?: number;
  heapLimitMb?: number;
}

export interface PluginCandidate {
  plugin: string;
  pluginVersion: string;
  name: string;
  model: SerializedModel;
  notes?: string;
  exportHints?: ExportHints;
  metrics?: Record<string, number>;
}

export interface InvocationResult {
  plugin: string;
  /** The config actually used (defaults filled). */
  config: Record<string, unknown>;
  candidates: PluginCandidate[];
  failures: PluginFailure[];
  durationMs: number;
  /** Largest resident memory of the plugin's process, bytes (0 if never sampled). */
  peakMemoryBytes: number;
}

const DEFAULTS = { timeoutMs: 30 * 60_000, memoryLimitMb: 4096, describeTimeoutMs: 30_000, concurrency: 1 };

export class PluginHost {
  private installed = new Map<string, InstalledPlugin>();
  private loadErrors: PluginLoadError[] = [];
  private running = 0;
  private waiting: Array<() => void> = [];
  private spare: { process: Promise<PluginProcess>; key: string; alive: boolean } | null = null;
  private closed = false;

  constructor(private readonly options: PluginHostOptions = {}) {}

  /** (Re)discovers and validates plugins. Bad plugins are refused and reported, not thrown. */
  async load(): Promise<LoadReport> {
    const sources: PluginSource[] = [
      ...(this.options.builtins === false ? [] : findBuiltinPlugins(this.options.rootDir ?? REPO_ROOT)),
      ...resolvePluginList(this.options.pluginList ?? process.env.CONDENSE_PLUGINS, this.options.cwd),
    ];
    const described = await mapLimit(sources, 2, (source) => this.describe(source));
    const installed = new Map<string, InstalledPlugin>();
    const errors: PluginLoadError[] = [];
    for (const [i, outcome] of described.entries()) {
      if (outcome instanceof PluginLoadError) {
        errors.push(outcome);
        continue;
      }
      const existing = installed.get(outcome.manifest.name);
      if (existing) {
        errors.push(new PluginLoadError(outcome.manifest.name, sources[i].specifier, `manifest.name is already used by the plugin from ${existing.specifier}`));
        continue;
      }
      installed.set(outcome.manifest.name, outcome);
    }
    this.installed = installed;
    this.loadErrors = errors;
    return { plugins: this.list(), errors: [...errors] };
  }

  private async describe(source: PluginSource): Promise<InstalledPlugin | PluginLoadError> {
    if (!source.url) return new PluginLoadError(source.specifier, source.specifier, source.error ?? 'could not be resolved');
    let bundleUrl: string;
    try {
      bundleUrl = await bundlePlugin(source.url, source.packageDir, source.origin);
    } catch (err) {
      return new PluginLoadError(source.specifier, source.specifier, (err as Error).message);
    }
    const readPath = source.packageDir ? `${source.packageDir}/` : fileURLToPath(source.url);
    const timeoutMs = this.options.describeTimeoutMs ?? DEFAULTS.describeTimeoutMs;
    const outcome = await runInWorker({
      job: { job: 'describe', url: bundleUrl },
      process: await spawnPluginProcess({ warm: false, backend: 'cpu', heapLimitMb: 256, readPaths: [readPath], cpuSeconds: (2 * timeoutMs) / 1000, maxFileBytes: 64 * 1024 ** 2, label: 'describe' }),
      timeoutMs,
      memoryLimitMb: 512,
      heapLimitMb: 256,
    });
    if (outcome.kind !== 'described') {
      const detail = outcome.kind === 'failed' ? outcome.message : 'did not describe itself';
      return new PluginLoadError(source.specifier, source.specifier, outcome.kind === 'failed' && outcome.reason === 'timeout' ? `loading its module ${detail}` : detail);
    }
    try {
      const manifest = validateManifest(outcome.manifest, source.specifier, SDK_VERSION);
      const foreign = (manifest.customLayers ?? []).findIndex((name) => !HOST_LAYERS.includes(name));
      if (foreign >= 0) {
        return new PluginLoadError(manifest.name, source.specifier, `manifest.customLayers[${foreign}] "${manifest.customLayers![foreign]}" is not a layer the host provides (${HOST_LAYERS.join(', ')}): plugin code never runs in the server, so candidates may contain only host-provided layers`);
      }
      return { manifest, origin: source.origin, specifier: source.specifier, url: source.url, bundleUrl, readPath, hasRegisterLayers: outcome.hooks.registerLayers };
    } catch (err) {
      if (err instanceof PluginLoadError) return err;
      throw err;
    }
  }

  /** Installed plugins, sorted by name. */
  list(): InstalledPlugin[] {
    return [...this.installed.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  }

  /** Plugins refused by the last load. */
  get errors(): PluginLoadError[] {
    return [...this.loadErrors];
  }

  /** One installed plugin; throws UnknownPluginError. */
  get(name: string): InstalledPlugin {
    const plugin = this.installed.get(name);
    if (!plugin) throw new UnknownPluginError(name, [...this.installed.keys()].sort());
    return plugin;
  }

  /** Validates a config for a plugin and fills defaults; throws PluginConfigError
   * (`plugin "x": config.sparsity must be <= 0.99`). */
  validateConfig(name: string, config: unknown = {}): Record<string, unknown> {
    return validatePluginConfig(this.get(name).manifest, config);
  }

  /**
   * Runs a plugin's `compress` hook in a fresh sandboxed process. Throws only for caller mistakes
   * (unknown plugin, bad config, unknown target, missing teacher); everything the plugin does
   * wrong comes back as `failures`.
   */
  async invoke(name: string, request: InvokeRequest): Promise<InvocationResult> {
    const plugin = this.get(name);
    const config = validatePluginConfig(plugin.manifest, request.config ?? {});
    const targets: TargetInfo[] = (request.targets ?? []).map((id) => {
      const t = getTarget(id);
      return { id: t.id, preferredQuantization: t.preferredQuantization, acceptedQuantizations: [...t.acceptedQuantizations], tensorTypes: [...t.tensorTypes], maxFileBytes: t.maxFileBytes };
    });
    if (plugin.manifest.requiresTeacher && !request.teacher) throw new Error(`plugin "${name}" requires a teacher model`);

    await this.acquire();
    const started = performance.now();
    const backend = this.options.backend ?? 'auto';
    const heapLimitMb = request.heapLimitMb ?? this.options.heapLimitMb ?? request.memoryLimitMb ?? this.options.memoryLimitMb ?? DEFAULTS.memoryLimitMb;
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? DEFAULTS.timeoutMs;
    const memoryLimitMb = request.memoryLimitMb ?? this.options.memoryLimitMb ?? DEFAULTS.memoryLimitMb;
    const spareKey = `${backend}|${heapLimitMb}|${timeoutMs}|${memoryLimitMb}`;
    try {
      const model = await toTransferable(request.model);
      const teacher = request.teacher ? await toTransferable(request.teacher) : undefined;
      const proc = await this.takeSpare(spareKey) ?? await spawnPluginProcess(this.processOptions(false, backend, heapLimitMb, timeoutMs, memoryLimitMb));
      const outcome = await runInWorker({
        job: {
          job: 'invoke',
          url: plugin.bundleUrl,
          plugin: name,
          config,
          model,
          ...(teacher ? { teacher } : {}),
          ...(request.data ? { dataInfo: structuredClone(request.data.info) } : {}),
          targets,
          backend,
          scratchDir: proc.scratchDir,
          ...(request.exportMetadata ? { exportMetadata: request.exportMetadata } : {}),
        },
        process: proc,
        timeoutMs,
        memoryLimitMb,
        heapLimitMb,
        data: request.data,
        signal: request.signal,
        onProgress: request.onProgress,
        onLog: request.onLog,
      });
      const candidates: PluginCandidate[] = [];
      const failures: PluginFailure[] = [];
      if (outcome.kind === 'result') {
        // The process is the plugin's: its answer is checked again here.
        const checked = checkWireOutput(outcome.candidates, outcome.invalid);
        for (const c of checked.candidates) candidates.push({ plugin: name, pluginVersion: plugin.manifest.version, ...c });
        for (const bad of checked.invalid) failures.push({ plugin: name, reason: 'invalid-output', message: bad.message, ...(bad.candidate ? { candidate: bad.candidate } : {}) });
      } else if (outcome.kind === 'failed') {
        failures.push({ plugin: name, reason: outcome.reason, message: outcome.message });
      } else {
        failures.push({ plugin: name, reason: 'invalid-output', message: 'worker answered an invoke with a manifest' });
      }
      return { plugin: name, config, candidates, failures, durationMs: performance.now() - started, peakMemoryBytes: outcome.peakMemoryBytes ?? 0 };
    } finally {
      if (this.options.prewarm !== false) this.startSpare(spareKey, backend, heapLimitMb, timeoutMs, memoryLimitMb);
      this.release();
    }
  }

  private processOptions(warm: boolean, backend: string, heapLimitMb: number, timeoutMs: number, memoryLimitMb: number): Parameters<typeof spawnPluginProcess>[0] {
    return {
      warm, backend, heapLimitMb, label: 'invoke',
      readPaths: this.list().map((p) => p.readPath),
      // CPU time: a backstop behind the wall-clock limit (all cores busy for the whole limit).
      cpuSeconds: (timeoutMs / 1000) * Math.max(1, os.availableParallelism()) + 30,
      maxFileBytes: memoryLimitMb * 1024 * 1024,
    };
  }

  /** A live spare process for these settings, if there is one (it is then no longer the spare). */
  private async takeSpare(key: string): Promise<PluginProcess | undefined> {
    const spare = this.spare;
    this.spare = null;
    if (!spare) return undefined;
    const proc = await spare.process.catch(() => undefined);
    if (proc && spare.alive && spare.key === key) {
      proc.ref();
      return proc;
    }
    void proc?.kill();
    return undefined;
  }

  private startSpare(key: string, backend: string, heapLimitMb: number, timeoutMs: number, memoryLimitMb: number): void {
    if (this.closed || (this.spare?.alive && this.spare.key === key)) return;
    if (this.spare) void this.spare.process.then((p) => p.kill(), () => undefined);
    const spare = { process: spawnPluginProcess(this.processOptions(true, backend, heapLimitMb, timeoutMs, memoryLimitMb)), key, alive: true };
    this.spare = spare;
    spare.process.then((proc) => {
      const dead = (): void => {
        spare.alive = false;
        if (this.spare === spare) this.spare = null;
      };
      proc.child.once('exit', dead);
      // Idle, it must not keep the server alive.
      proc.unref();
    }, () => {
      spare.alive = false;
      if (this.spare === spare) this.spare = null;
    });
  }

  /** Stops the spare process. Running invocations finish normally. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = null;
    if (spare) await spare.process.then((p) => p.kill(), () => undefined);
  }

  private async acquire(): Promise<void> {
    const limit = Math.max(1, this.options.concurrency ?? DEFAULTS.concurrency);
    if (this.running < limit) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** True when the plugin declares it can produce candidates for `targetId` ('*' = any). */
export function pluginSupportsTarget(manifest: PluginManifest, targetId: string): boolean {
  return (manifest.hardwareTargets as readonly string[]).includes('*') || (manifest.hardwareTargets as readonly string[]).includes(targetId);
}

/** Creates a host and loads its plugins. */
export async function createPluginHost(options: PluginHostOptions = {}): Promise<PluginHost> {
  // Scratch dirs of a host process that crashed mid-invocation.
  sweepStaleEntries(os.tmpdir(), SCRATCH_PREFIX);
  const host = new PluginHost(options);
  await host.load();
  return host;
}

/** A copy of the model as plain data for the plugin process. */
async function toTransferable(model: tf.LayersModel | SerializedModel): Promise<SerializedModel> {
  if (isSerializedModel(model)) return model;
  const { serializeModel } = await import('./model-transfer.ts');
  return serializeModel(model);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
