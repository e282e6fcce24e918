// A plugin is a plain module whose default export is `{ manifest, hooks }`.
import type { CandidateModel } from './candidate.ts';
import type { PluginContext } from './context.ts';
import type { LayerRegistry } from './layers.ts';
import type { PluginManifest } from './manifest.ts';

export interface PluginHooks<Config = Record<string, unknown>> {
  /** Compresses `ctx.model` per `config` (already validated, defaults filled) and returns one or
   * more candidates (an array; the host also accepts a single object). Runs in a worker thread with memory and time limits. */
  compress(ctx: PluginContext, config: Config): Promise<CandidateModel[]> | CandidateModel[];
  /** Registers the layer classes listed in `manifest.customLayers` (and their TFLite converters).
   * Called in every plugin worker before models load, and in the host process before candidates
   * are loaded or exported. Keep it to registrations: no I/O, no heavy work. */
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
