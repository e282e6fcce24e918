// The plugin host: discovery, validation and isolated execution of compression plugins.
export { createPluginHost, PluginHost, pluginSupportsTarget } from './host.ts';
export type { InstalledPlugin, InvocationResult, InvokeRequest, LoadReport, PluginCandidate, PluginHostOptions } from './host.ts';
export { PluginConfigError, PluginLoadError, UnknownPluginError } from './errors.ts';
export type { PluginFailure, PluginFailureReason } from './errors.ts';
export { validateManifest } from './manifest.ts';
export { validatePluginConfig } from './config.ts';
export { findBuiltinPlugins, resolvePluginList, type PluginSource } from './discovery.ts';
export { deserializeModel, isSerializedModel, serializeModel, serializedModelBytes, type SerializedModel } from './model-transfer.ts';
export type { LogEntry } from './run-worker.ts';
