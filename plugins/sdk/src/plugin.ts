// A plugin is a plain module whose default export is `{ manifest, hooks }`.
import type { CandidateModel } from './candidate.ts';
import type { PluginContext } from './context.ts';
import type { LayerRegistry } from './layers.ts';
import type { PluginManifest } from './manifest.ts';

export interface PluginHooks<Config = Record<string, unknown>> {
  /** Compresses `ctx.model` per `config` (already validated, defaults filled) and returns one or
   * more candidates (an array; the host also accepts a single object). Runs in a sandboxed process with memory and time limits. */
  compress(ctx: PluginContext, config: Config): Promise<CandidateModel[]> | CandidateModel[];
  /** Registers layer classes (and TFLite converters) the plugin uses inside its own sandboxed
   * process, before `compress` runs. Never called in the server or in other plugins' processes:
   * candidates may contain only host-provided layers (`HOST_LAYERS`, `manifest.customLayers`).
   * Keep it to registrations: no I/O, no heavy work. */
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
