// Errors and failure records of the plugin host.

/** Why a plugin invocation produced no (or fewer) candidates. The host itself stays up. */
export type PluginFailureReason = 'threw' | 'timeout' | 'out-of-memory' | 'invalid-output' | 'cancelled';

export interface PluginFailure {
  plugin: string;
  reason: PluginFailureReason;
  /** One line for a person: what went wrong. */
  message: string;
  /** The candidate the failure concerns, when the plugin named it. */
  candidate?: string;
}

/** A plugin that cannot be loaded: bad module, bad manifest, unsatisfied SDK range, duplicate. */
export class PluginLoadError extends Error {
  readonly plugin: string;
  readonly source: string;
  constructor(plugin: string, source: string, detail: string) {
    super(`plugin "${plugin}": ${detail}`);
    this.name = 'PluginLoadError';
    this.plugin = plugin;
    this.source = source;
  }
}

/** A config that does not match the plugin's configSchema. */
export class PluginConfigError extends Error {
  readonly plugin: string;
  constructor(plugin: string, detail: string) {
    super(`plugin "${plugin}": ${detail}`);
    this.name = 'PluginConfigError';
    this.plugin = plugin;
  }
}

/** Asked for a plugin the host has not loaded. */
export class UnknownPluginError extends Error {
  readonly plugin: string;
  constructor(plugin: string, known: string[]) {
    super(`unknown plugin "${plugin}" (installed: ${known.length ? known.join(', ') : 'none'})`);
    this.name = 'UnknownPluginError';
    this.plugin = plugin;
  }
}
