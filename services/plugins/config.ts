// Config validation against a plugin's configSchema, filling defaults (ajv useDefaults).
import type { PluginManifest } from '@condense/plugin-sdk';
import type { ValidateFunction } from 'ajv';
import { createAjv, describeAjvErrors } from './ajv.ts';
import { PluginConfigError } from './errors.ts';

const compiled = new WeakMap<object, ValidateFunction>();

/** Returns a copy of `config` with defaults filled; throws PluginConfigError naming the field. */
export function validatePluginConfig(manifest: PluginManifest, config: unknown = {}): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new PluginConfigError(manifest.name, 'config must be an object');
  }
  let validate = compiled.get(manifest.configSchema);
  if (!validate) {
    // A fresh ajv per schema: two plugins may reuse a $id without clashing.
    validate = createAjv({ useDefaults: true }).compile(manifest.configSchema);
    compiled.set(manifest.configSchema, validate);
  }
  const copy = structuredClone(config) as Record<string, unknown>;
  if (!validate(copy)) throw new PluginConfigError(manifest.name, describeAjvErrors('config', validate.errors));
  return copy;
}
