// Default wiring of the API to the engine (model/dataset inspection) and the plugin host.
import { DEFAULT_INSPECTION_LIMITS, inspectDatasetIsolated, inspectModelIsolated, type InspectionLimits } from '../inspect/isolated.ts';
import { createPluginHost, validatePluginConfig, type PluginHost } from '../plugins/index.ts';
import type { DatasetInspector, ModelInspector, PluginCatalog, PluginInfo } from './dependencies.ts';

/**
 * Model and dataset inspection, each in a bounded child process (services/inspect): the
 * engine's parsers never run on the API's thread or in its heap.
 */
export function isolatedInspectors(limits: InspectionLimits = DEFAULT_INSPECTION_LIMITS): { inspectModel: ModelInspector; inspectDataset: DatasetInspector } {
  return {
    inspectModel: (file) => inspectModelIsolated(file, limits),
    inspectDataset: (file, options) => inspectDatasetIsolated(file, options, limits),
  };
}

/** Adapts a loaded plugin host to the catalog the API reads. */
export function pluginCatalogFromHost(host: () => Promise<PluginHost>): PluginCatalog {
  const find = async (name: string) => (await host()).list().find((p) => p.manifest.name === name);
  return {
    async list() {
      return (await host()).list().map((p) => p.manifest as unknown as PluginInfo);
    },
    async validateConfig(name, config) {
      const plugin = await find(name);
      if (!plugin) throw new Error(`unknown plugin "${name}"`);
      return validatePluginConfig(plugin.manifest, config);
    },
  };
}

/** The installed plugins (built-ins + CONDENSE_PLUGINS), discovered on first use. */
export function defaultPluginCatalog(plugins: string[]): PluginCatalog {
  let host: Promise<PluginHost> | undefined;
  return pluginCatalogFromHost(() => (host ??= createPluginHost({ pluginList: plugins.join(',') })));
}
