// Binds the plugin host (services/plugins) to the activities' PluginInvoker: models go to the
// plugin's worker thread serialised and come back as LayersModels; whatever the plugin did wrong
// comes back as a failure, a caller mistake (bad config) as non-retryable bad input.
import { tf } from '../engine/backend/index.ts';
import { deserializeModel, type PluginHost } from '../plugins/index.ts';
import { NonRetryableError } from './context.ts';
import type { PluginCandidateModel, PluginInvoker } from './deps.ts';

export async function pluginInvoker(host: PluginHost): Promise<PluginInvoker> {
  // Candidates may hold plugins' custom layers (e.g. projection): register them before loading.
  await host.registerCustomLayers(tf);
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
      for (const c of result.candidates) {
        candidates.push({
          name: c.name,
          model: await deserializeModel(c.model),
          ...(c.notes ? { notes: c.notes } : {}),
          ...(c.exportHints ? { exportHints: c.exportHints } : {}),
          ...(c.metrics ? { metrics: c.metrics } : {}),
        });
      }
      return { ok: true, candidates };
    },
  };
}
