// What a plugin declares about itself. The host validates every field when it loads the plugin.

/** The technique families the planner knows how to chain. */
export const PLUGIN_KINDS = ['pruning', 'quantization', 'distillation', 'projection', 'clustering', 'other'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** A JSON Schema (draft 2020-12 / draft-07 keywords that ajv understands). */
export type JsonSchema = { [keyword: string]: unknown };

export interface PluginManifest {
  /** Unique plugin name: lower-case letters, digits, '-', optionally an npm scope ('@org/name'). */
  name: string;
  /** The plugin's own semver version. */
  version: string;
  /** Semver range of the host SDK it needs, e.g. '^1.0.0'. */
  sdk: string;
  kind: PluginKind;
  /** One line saying what the plugin does. */
  summary: string;
  /** Hardware-target ids it can produce candidates for (see the host's target catalog), or ['*']. */
  hardwareTargets: string[];
  /** JSON Schema of the config object `compress` receives: `type: 'object'`, and every property
   * with a `description` and a `default` (unless listed in `required`). The host fills defaults. */
  configSchema: JsonSchema;
  /** True when `compress` needs `ctx.teacher` (e.g. distillation); the host refuses to run it without. */
  requiresTeacher?: boolean;
  /** Class names of custom tfjs layers the plugin's models contain; the plugin registers them in
   * `hooks.registerLayers`, which the host calls wherever such models are loaded. */
  customLayers?: string[];
}
