// @condense/plugin-pruning: magnitude pruning with the gradual schedule of Zhu & Gupta 2017,
// unstructured (per weight) or structured (whole channels removed).
import { cloneModel, definePlugin, type CandidateModel, type PluginContext, TARGET_IDS } from '@condense/plugin-sdk';
import { planChannels } from './channel-plan.ts';
import { configSchema, coverages, targetSizes, targetSparsities, type PruningConfig } from './config.ts';
import { sparsityForSize } from './size-target.ts';
import { pruneStructured } from './structured.ts';
import { pruneUnstructured } from './unstructured.ts';
import { pruneVocabulary } from './vocabulary.ts';

function checkConfig(ctx: PluginContext, config: PruningConfig): void {
  const names = new Set(ctx.model.layers.map((l) => l.name));
  const unknown = config.layers.filter((name) => !names.has(name));
  if (unknown.length > 0) throw new Error(`config.layers names unknown layer(s): ${unknown.join(', ')}`);
  if (config.mode !== 'vocabulary' && config.epochs > 0 && ctx.data.info.kind !== 'tensor') {
    throw new Error(`pruning fine-tunes on tensor datasets only; this one is '${ctx.data.info.kind}' (use epochs: 0 for one-shot pruning)`);
  }
  if (config.endStep >= 0 && config.endStep < Math.max(0, config.beginStep)) {
    throw new Error(`config.endStep (${config.endStep}) must not be before config.beginStep (${config.beginStep})`);
  }
  if (config.endEpoch < config.beginEpoch) {
    throw new Error(`config.endEpoch (${config.endEpoch}) must not be before config.beginEpoch (${config.beginEpoch})`);
  }
  if (!Number.isInteger(config.epochs)) throw new Error(`config.epochs must be a whole number, got ${config.epochs}`);
  if (targetSizes(config).length > 0 && config.mode !== 'structured') throw new Error(`config.targetSize needs mode 'structured', got '${config.mode}'`);
  if (targetSizes(config).length > 0 && ctx.data.info.kind !== 'tensor') throw new Error(`config.targetSize measures exported files on tensor datasets only; this one is '${ctx.data.info.kind}'`);
}

/** mode 'structured' with targetSize: one candidate per size, at the least sparsity whose file fits it. */
async function pruneToSizes(ctx: PluginContext, config: PruningConfig): Promise<CandidateModel[]> {
  const candidates: CandidateModel[] = [];
  for (const fraction of targetSizes(config)) {
    if (ctx.signal.aborted) throw new Error('pruning cancelled');
    const name = `pruned-structured-size-${Math.round(fraction * 100)}`;
    ctx.progress({ step: candidates.length, message: `finding the channel sparsity whose ${config.sizeQuantization} file fits ${fraction} of the model's`, candidate: name });
    const plan = planChannels(ctx.model, config.layers, config.residual);
    if (plan.groups.length === 0) throw new Error(`no layer can be pruned structurally (${plan.skipped.map((s) => `'${s.layer}': ${s.reason}`).join('; ') || 'no Dense/Conv layers'})`);
    const size = await sparsityForSize(ctx, ctx.model, plan, fraction, config.sizeQuantization);
    ctx.log.info(`${name}: sparsity ${size.sparsity.toFixed(3)} gives a ${config.sizeQuantization} file of ${size.bytes} B (model: ${size.baseBytes} B)`);
    const model = await cloneModel(ctx.tf, ctx.model);
    const candidate = await pruneStructured(ctx, model, config, size.sparsity, name);
    candidates.push({
      ...candidate,
      notes: `${size.fits ? `Channel sparsity ${size.sparsity.toFixed(3)} is the least whose ${config.sizeQuantization} file fits ${fraction} of the model's (${size.bytes} of ${size.baseBytes} B, before fine-tuning).` : `No channel sparsity fits ${fraction} of the model's ${config.sizeQuantization} file (${size.bytes} of ${size.baseBytes} B at ${size.sparsity}).`} ${candidate.notes ?? ''}`,
      metrics: { ...candidate.metrics, targetSize: fraction, sizeBytes: size.bytes, sizeBaseBytes: size.baseBytes },
    });
    ctx.log.info(`candidate ${name}: ${candidate.notes ?? ''}`);
  }
  return candidates;
}

export default definePlugin<PruningConfig>({
  manifest: {
    name: 'pruning',
    version: '1.3.0',
    sdk: '^1.6.0',
    kind: 'pruning',
    summary: 'Magnitude pruning on a gradual sparsity schedule, per weight or by removing whole filters/units.',
    // Structured pruning makes a narrower dense model every target runs; unstructured zeros only
    // shrink the compressed download (no target here has sparse kernels).
    hardwareTargets: [...TARGET_IDS],
    // Vocabulary pruning removes Embedding rows of rare words (text models): smaller on every target.
    modes: Object.fromEntries(TARGET_IDS.map((t) => [t, ['structured', 'unstructured', 'vocabulary']])),
    configSchema,
  },
  hooks: {
    async compress(ctx, config) {
      checkConfig(ctx, config);
      if (config.mode === 'vocabulary') {
        ctx.progress({ step: 0, message: `counting token ids for vocabulary pruning (coverage ${coverages(config).join(', ')})` });
        const pruned = await pruneVocabulary(ctx, coverages(config));
        for (const c of pruned) ctx.log.info(`candidate ${c.name}: ${c.notes ?? ''}`);
        return pruned;
      }
      if (targetSizes(config).length > 0) return pruneToSizes(ctx, config);
      const candidates: CandidateModel[] = [];
      for (const target of targetSparsities(config)) {
        if (ctx.signal.aborted) throw new Error('pruning cancelled');
        const name = `pruned-${config.mode}-${Math.round(target * 100)}`;
        ctx.progress({ step: candidates.length, message: `pruning to sparsity ${target} (${config.mode})`, candidate: name });
        const model = await cloneModel(ctx.tf, ctx.model);
        const prune = config.mode === 'structured' ? pruneStructured : pruneUnstructured;
        const candidate = await prune(ctx, model, config, target, name);
        ctx.log.info(`candidate ${name}: ${candidate.notes ?? ''}`);
        candidates.push(candidate);
      }
      return candidates;
    },
  },
});
