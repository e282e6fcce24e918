// What a plugin declares about itself. The host validates every field when it loads the plugin.
import type { TargetId } from './targets.ts';

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
  /** The hardware targets it really serves (TARGET_IDS). The planner offers a plugin only for the
   * targets it declares. ['*'] ("any target") is accepted for a third-party plugin's first try;
   * the built-in plugins declare their lists. */
  hardwareTargets: Array<TargetId | '*'>;
  /** Per declared target, the modes the plugin offers there — the values its kind's config
   * contract uses to pick one (docs/plugins.md): quantization formats, pruning modes, distillation
   * student sizes. A target without an entry offers every mode. */
  modes?: Partial<Record<TargetId, readonly string[]>>;
  /** JSON Schema of the config object `compress` receives: `type: 'object'`, and every property
   * with a `description` and a `default` (unless listed in `required`). The host fills defaults. */
  configSchema: JsonSchema;
  /** True when `compress` needs `ctx.teacher` (e.g. distillation); the host refuses to run it without. */
  requiresTeacher?: boolean;
  /** Class names of the non-tfjs layers the plugin's candidates contain. Each must be a layer the
   * host provides (`HOST_LAYERS`, since SDK 1.5.0): plugin code never runs in the server, so the
   * server loads and exports candidates with its own classes and converters. Anything else
   * refuses the plugin at load. */
  customLayers?: string[];
}
