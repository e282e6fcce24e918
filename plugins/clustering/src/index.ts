// condense-plugin-clustering: weight sharing by per-layer k-means (Han, Mao & Dally 2016,
// "Deep Compression", arXiv 1510.00149). Written as any third party would write a Condense
// plugin: its own package, nothing but the public @condense/plugin-sdk API.
import { cloneModel, definePlugin, type CandidateModel, type LayersModel, type PluginContext, TARGET_IDS } from '@condense/plugin-sdk';
import { clusterableKernels, clusterKernel, type ClusteredKernel } from './clustered-kernel.ts';
import { clusterCounts, configSchema, type ClusteringConfig } from './config.ts';
import { fineTuneCentroids, retrainAndSnap } from './fine-tune.ts';
import { distinctValues, gzippedWeightBytes, indexedBytes } from './measure.ts';

async function clusterModel(ctx: PluginContext, model: LayersModel, k: number, config: ClusteringConfig, name: string): Promise<CandidateModel> {
  const { kernels: targets, notes } = clusterableKernels(model, config.layers);
  if (targets.length === 0) throw new Error('the model has no Dense or convolution kernels to cluster');
  const gzipBefore = gzippedWeightBytes(model);
  let kernels: ClusteredKernel[] = targets.map(({ layer, variable }, i) =>
    clusterKernel(ctx.tf, layer, variable, k, { init: config.init, maxIterations: config.maxIterations, seed: config.seed + i }));
  const options = { ...config, candidate: name };
  if (config.epochs > 0 && config.fineTune === 'centroids') await fineTuneCentroids(ctx, model, kernels, options);
  if (config.epochs > 0 && config.fineTune === 'retrain-and-snap') kernels = await retrainAndSnap(ctx, model, kernels, options);
  const unique = kernels.map(distinctValues);
  const gzipAfter = gzippedWeightBytes(model);
  const clusteredWeights = kernels.reduce((n, c) => n + c.assignment.length, 0);
  return {
    name,
    model,
    notes: [`k-means weight sharing with ${k} clusters on ${kernels.length} kernels (${clusteredWeights} weights, `
      + `${config.init} init, fine-tuning: ${config.epochs > 0 ? config.fineTune : 'none'}); gzip-compressed weights `
      + `${gzipBefore} → ${gzipAfter} bytes.`, ...notes].join(' '),
    metrics: {
      clusters: k,
      uniqueWeights: Math.max(...unique),
      uniqueWeightsTotal: unique.reduce((a, b) => a + b, 0),
      clusteredLayers: new Set(kernels.map((c) => c.layer)).size,
      clusteredWeights,
      gzipWeightBytesBefore: gzipBefore,
      gzipWeightBytes: gzipAfter,
      gzipCompressionRatio: gzipBefore / gzipAfter,
      indexedKernelBytes: indexedBytes(kernels),
    },
  };
}

export default definePlugin<ClusteringConfig>({
  manifest: {
    name: 'clustering',
    version: '1.0.0',
    sdk: '^1.4.0',
    kind: 'clustering',
    summary: 'Weight sharing: per-layer k-means on Dense/Conv kernels, with optional centroid fine-tuning.',
    // Clustered weights stay float32 or int8 tensors: every target runs them.
    hardwareTargets: [...TARGET_IDS],
    configSchema,
  },
  hooks: {
    async compress(ctx, config) {
      const names = new Set(ctx.model.layers.map((l) => l.name));
      const unknown = config.layers.filter((n) => !names.has(n));
      if (unknown.length > 0) throw new Error(`config.layers names unknown layer(s): ${unknown.join(', ')}`);
      if (config.epochs > 0 && config.fineTune !== 'none' && ctx.data.info.kind !== 'tensor') {
        throw new Error(`clustering fine-tunes on tensor datasets only; this one is '${ctx.data.info.kind}' (use epochs: 0)`);
      }
      const candidates: CandidateModel[] = [];
      for (const k of clusterCounts(config)) {
        if (ctx.signal.aborted) throw new Error('clustering cancelled');
        const name = `clustered-${k}`;
        ctx.progress({ step: candidates.length, message: `clustering kernels into ${k} shared values`, candidate: name });
        candidates.push(await clusterModel(ctx, await cloneModel(ctx.tf, ctx.model), k, config, name));
      }
      return candidates;
    },
  },
});
