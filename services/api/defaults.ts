// Default wiring of the API to the engine (model/dataset inspection) and the plugin host.
import { openDataset } from '../engine/data/index.ts';
import { inspectModel } from '../engine/import/index.ts';
import type { ExportPreflight } from '../engine/preflight/index.ts';
import type { ModelPreflightJson } from '../db/types/index.ts';
import { targetPreflight } from '../targets/index.ts';
import { createPluginHost, validatePluginConfig, type PluginHost } from '../plugins/index.ts';
import type { DatasetInspector, ModelInspector, PluginCatalog, PluginInfo } from './dependencies.ts';

/** services/engine/import's inspectModel (reads metadata, validates the format). */
export const defaultModelInspector: ModelInspector = async (input) => {
  const meta = await inspectModel({ filename: input.filename, bytes: input.bytes }, { preflight: true });
  return {
    format: meta.format,
    signature: {
      inputs: meta.signature.inputs.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype })),
      outputs: meta.signature.outputs.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype })),
    },
    parameterCount: meta.parameterCount,
    layerTypes: meta.layerTypes,
    ...(meta.preflight ? { preflight: modelPreflight(meta.preflight, meta.notes ?? []) } : {}),
  };
};

/** The engine's export pre-flight judged against every hardware target (services/targets). */
export function modelPreflight(report: ExportPreflight, notes: string[]): ModelPreflightJson {
  return {
    parameterCount: report.parameterCount,
    macs: report.macs,
    peakActivationBytes: report.exports.find((e) => e.mode === 'float32')?.peakActivationBytes ?? null,
    blockers: report.blockers,
    notes,
    targets: targetPreflight(report),
  };
}

/** services/engine/data's openDataset, keeping only the metadata. */
export const defaultDatasetInspector: DatasetInspector = async (input, options) => {
  const dataset = await openDataset({ bytes: input.bytes, filename: input.filename }, options);
  const info = dataset.info;
  return {
    format: info.format, kind: info.kind, inputShape: info.inputShape, numClasses: info.numClasses, labels: info.labels,
    splits: { ...info.splits }, sampleCount: info.sampleCount,
  };
};

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
