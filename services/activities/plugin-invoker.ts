// Binds the plugin host (services/plugins) to the activities' PluginInvoker: models go to the
// plugin.s sandboxed process serialised and come back as LayersModels; whatever the plugin did wrong
// comes back as a failure, a caller mistake (bad config) as non-retryable bad input.
import { HOST_LAYERS } from '@condense/plugin-sdk';
import { deserializeModel, type PluginFailure, type PluginHost } from '../plugins/index.ts';
import { NonRetryableError } from './context.ts';
import type { PluginCandidateModel, PluginInvoker } from './deps.ts';

export async function pluginInvoker(host: PluginHost): Promise<PluginInvoker> {
  // Candidates may hold only host-provided layers (e.g. projection's LshProjection): the engine
  // registers those itself, so no plugin code runs here.
  return {
    list: () => host.list().map((p) => ({
      name: p.manifest.name, version: p.manifest.version, kind: p.manifest.kind, hardwareTargets: [...p.manifest.hardwareTargets],
      ...(p.manifest.modes ? { modes: p.manifest.modes } : {}),
    })),
    async invoke(request) {
      let result;
      try {
        result = await host.invoke(request.plugin, {
          model: request.model,
          ...(request.teacher ? { teacher: request.teacher } : {}),
          data: request.data,
          config: request.config,
          targets: request.targets,
          ...(request.exportMetadata ? { exportMetadata: request.exportMetadata } : {}),
          signal: request.signal,
          onProgress: request.onProgress,
        });
      } catch (err) {
        throw new NonRetryableError('InvalidInput', (err as Error).message);
      }
      if (result.candidates.length === 0) {
        const failure = result.failures[0] ?? { plugin: request.plugin, reason: 'invalid-output', message: 'returned no candidate model' };
        return { ok: false, failure };
      }
      const candidates: PluginCandidateModel[] = [];
      const unloadable: PluginFailure[] = [];
      for (const c of result.candidates) {
        let model;
        try {
          model = await deserializeModel(c.model);
        } catch (err) {
          // E.g. a layer of the plugin's own: only tfjs's and the host-provided layers load here.
          const message = `candidate "${c.name}" cannot be loaded by the host: ${(err as Error).message.split('\n')[0]} (candidates may hold tfjs layers and the host-provided ${HOST_LAYERS.join(', ')})`;
          unloadable.push({ plugin: request.plugin, reason: 'invalid-output', message, candidate: c.name });
          continue;
        }
        candidates.push({
          name: c.name,
          model,
          ...(c.notes ? { notes: c.notes } : {}),
          ...(c.exportHints ? { exportHints: c.exportHints } : {}),
          ...(c.metrics ? { metrics: c.metrics } : {}),
        });
      }
      if (candidates.length === 0) return { ok: false, failure: unloadable[0]! };
      return { ok: true, candidates };
    },
  };
}
