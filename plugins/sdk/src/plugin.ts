// A plugin is a plain module whose default export is `{ manifest, hooks }`.
import type { CandidateModel } from './candidate.ts';
import type { PluginContext } from './context.ts';
import type { PluginManifest } from './manifest.ts';
import type { Tf } from './tf.ts';

/** Where a plugin registers its custom layers (see `manifest.customLayers`). */
export interface LayerRegistry {
  tf: Tf;
  /** Registers a tfjs layer class for (de)serialisation; same as tf.serialization.registerClass. */
  registerClass(cls: Parameters<Tf['serialization']['registerClass']>[0]): void;
}

export interface PluginHooks<Config = Record<string, unknown>> {
  /** Compresses `ctx.model` per `config` (already validated, defaults filled) and returns one or
   * more candidates (an array; the host also accepts a single object). Runs in a worker thread with memory and time limits. */
  compress(ctx: PluginContext, config: Config): Promise<CandidateModel[]> | CandidateModel[];
  /** Registers the classes listed in `manifest.customLayers`. Called once per worker and in the
   * host before a model holding such layers is loaded. */
  registerLayers?(registry: LayerRegistry): void;
}

export interface Plugin<Config = Record<string, unknown>> {
  manifest: PluginManifest;
  hooks: PluginHooks<Config>;
}

/** Identity helper that gives a plugin module its types: `export default definePlugin({...})`. */
export function definePlugin<Config = Record<string, unknown>>(plugin: Plugin<Config>): Plugin<Config> {
  return plugin;
}
