// Manifest validation: ajv for the shape, semver for versions and the SDK range, the target
// catalog for hardwareTargets, and ajv again to check the configSchema is a usable schema.
import { PLUGIN_KINDS, SDK_VERSION, type PluginManifest } from '@condense/plugin-sdk';
import semver from 'semver';
import { isTargetId } from '../targets/index.ts';
import { createAjv, describeAjvErrors } from './ajv.ts';
import { PluginLoadError } from './errors.ts';

const MANIFEST_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'sdk', 'kind', 'summary', 'hardwareTargets', 'configSchema'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 214, pattern: '^(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$' },
    version: { type: 'string', minLength: 1 },
    sdk: { type: 'string', minLength: 1 },
    kind: { enum: [...PLUGIN_KINDS] },
    summary: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\r\\n]+$' },
    hardwareTargets: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    modes: { type: 'object', additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } } },
    configSchema: { type: 'object' },
    requiresTeacher: { type: 'boolean' },
    customLayers: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
  },
} as const;

const manifestAjv = createAjv();
const validateShape = manifestAjv.compile(MANIFEST_SCHEMA);

/** Checks a manifest read from `source`; throws PluginLoadError naming the plugin and field. */
export function validateManifest(raw: unknown, source: string, hostSdkVersion: string = SDK_VERSION): PluginManifest {
  const label = typeof (raw as { name?: unknown })?.name === 'string' && (raw as { name: string }).name ? (raw as { name: string }).name : source;
  const fail = (detail: string): never => {
    throw new PluginLoadError(label, source, detail);
  };
  if (!validateShape(raw)) fail(describeAjvErrors('manifest', validateShape.errors));
  const manifest = raw as PluginManifest;

  if (!semver.valid(manifest.version)) fail(`manifest.version "${manifest.version}" is not a semver version`);
  if (!semver.validRange(manifest.sdk)) fail(`manifest.sdk "${manifest.sdk}" is not a semver range`);
  if (!semver.satisfies(hostSdkVersion, manifest.sdk, { includePrerelease: true })) {
    fail(`manifest.sdk requires "${manifest.sdk}" but this host provides plugin SDK ${hostSdkVersion}`);
  }
  manifest.hardwareTargets.forEach((id, i) => {
    if (id !== '*' && !isTargetId(id)) fail(`manifest.hardwareTargets[${i}] "${id}" is not a known hardware target`);
  });
  const anyTarget = (manifest.hardwareTargets as readonly string[]).includes('*');
  for (const id of Object.keys(manifest.modes ?? {})) {
    if (!isTargetId(id)) fail(`manifest.modes.${id}: "${id}" is not a known hardware target`);
    if (!anyTarget && !(manifest.hardwareTargets as readonly string[]).includes(id)) fail(`manifest.modes.${id}: the plugin does not declare target "${id}" in hardwareTargets`);
  }
  checkConfigSchema(manifest.configSchema, fail);
  return manifest;
}

function checkConfigSchema(schema: Record<string, unknown>, fail: (detail: string) => never): void {
  if (schema.type !== 'object') fail('manifest.configSchema must have type "object"');
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  if (typeof properties !== 'object' || Array.isArray(properties)) fail('manifest.configSchema.properties must be an object');
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, prop] of Object.entries(properties)) {
    if (!prop || typeof prop !== 'object') fail(`manifest.configSchema.properties.${key} must be a schema object`);
    if (typeof prop.description !== 'string' || !prop.description.trim()) fail(`manifest.configSchema.properties.${key} needs a description`);
    if (!required.has(key) && !('default' in prop)) fail(`manifest.configSchema.properties.${key} needs a default (or must be listed in required)`);
  }
  let validate;
  try {
    validate = createAjv({ useDefaults: true }).compile(schema);
  } catch (err) {
    fail(`manifest.configSchema is not a valid JSON Schema: ${(err as Error).message.split('\n')[0]}`);
  }
  // Defaults must satisfy the schema itself, or every run with defaults would be refused.
  if (validate && required.size === 0) {
    const defaults = {};
    if (!validate(defaults)) fail(`manifest.configSchema defaults are invalid: ${describeAjvErrors('config', validate.errors)}`);
  }
}
