// @condense/plugin-pruning: magnitude pruning with the gradual schedule of Zhu & Gupta 2017,
// unstructured (per weight) or structured (whole channels removed).
import { cloneModel, definePlugin, type CandidateModel, type PluginContext, TARGET_IDS } from '@condense/plugin-sdk';
import { planChannels } from './channel-plan.ts';
import { isResidualGroup } from './masks.ts';
import { configSchema, coverages, targetBytes, targetSizes, targetSparsities, type PruningConfig } from './config.ts';
import { sparsityForSize, type SizeBudget } from './size-target.ts';
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
  for (const [option, values] of [['targetSize', targetSizes(config)], ['targetBytes', targetBytes(config)]] as const) {
    if (values.length > 0 && config.mode !== 'structured') throw new Error(`config.${option} needs mode 'structured', got '${config.mode}'`);
    if (values.length > 0 && ctx.data.info.kind !== 'tensor') throw new Error(`config.${option} measures exported files on tensor datasets only; this one is '${ctx.data.info.kind}'`);
  }
}

/** The size budgets of a config: its fractions, then its byte counts (empty: it targets sparsities). */
const sizeBudgets = (config: PruningConfig): SizeBudget[] => [
  ...targetSizes(config).map((fraction) => ({ fraction })),
  ...targetBytes(config).map((bytes) => ({ bytes })),
];

/** A budget in words and in a candidate name. */
const describe = (budget: SizeBudget) => ('bytes' in budget
  ? { name: `bytes-${budget.bytes}`, text: `${budget.bytes} B` }
  : { name: `size-${Math.round(budget.fraction * 100)}`, text: `${budget.fraction} of the model's` });

/** mode 'structured' with targetSize / targetBytes: one candidate per budget, at the least sparsity whose file fits it. */
async function pruneToSizes(ctx: PluginContext, config: PruningConfig): Promise<CandidateModel[]> {
  const candidates: CandidateModel[] = [];
  for (const budget of sizeBudgets(config)) {
    if (ctx.signal.aborted) throw new Error('pruning cancelled');
    const { name: suffix, text } = describe(budget);
    const name = `pruned-structured-${suffix}`;
    ctx.progress({ step: candidates.length, message: `finding the channel sparsity whose ${config.sizeQuantization} file fits ${text}`, candidate: name });
    let used = config;
    let plan = planChannels(ctx.model, config.layers, config.residual);
    let size = plan.groups.length > 0 ? await sparsityForSize(ctx, ctx.model, plan, budget, config.sizeQuantization, config.residualShare) : null;
    // Residual channels are kept while the size can be reached without them (at ½ of ResNet-8's
    // file that kept 1.65 points more after distillation, docs/planner.md); when it cannot, they
    // go too.
    let widened = '';
    if (config.residual === 'keep' && !size?.fits) {
      const together = planChannels(ctx.model, config.layers, 'together');
      if (together.groups.some(isResidualGroup)) {
        used = { ...config, residual: 'together' };
        plan = together;
        size = await sparsityForSize(ctx, ctx.model, plan, budget, config.sizeQuantization, config.residualShare);
        widened = 'The layers feeding residual Adds are pruned too (together): without them no sparsity fits. ';
      }
    }
    // A residual path spared (residualShare < 1) that does not fit is spared less, in quarter
    // steps towards the others' sparsity (1): the first share that fits.
    if (used.residual === 'together' && used.residualShare < 1 && !size?.fits && plan.groups.some(isResidualGroup)) {
      for (const step of [1, 2, 3, 4]) {
        const share = step === 4 ? 1 : Number((config.residualShare + ((1 - config.residualShare) * step) / 4).toFixed(4));
        used = { ...used, residualShare: share };
        size = await sparsityForSize(ctx, ctx.model, plan, budget, config.sizeQuantization, share);
        if (size.fits) break;
      }
      widened = `${widened}With the residual path at ${config.residualShare} of the others' sparsity no sparsity fits: ${used.residualShare === 1 ? 'it is pruned like the rest' : `it loses ${used.residualShare} of it`}. `;
    }
    if (plan.groups.length === 0 || !size) throw new Error(`no layer can be pruned structurally (${plan.skipped.map((s) => `'${s.layer}': ${s.reason}`).join('; ') || 'no Dense/Conv layers'})`);
    ctx.log.info(`${name}: sparsity ${size.sparsity.toFixed(3)} (residual ${used.residual}${used.residual === 'together' ? `, share ${used.residualShare}` : ''}) gives a ${config.sizeQuantization} file of ${size.bytes} B, limit ${size.limit} B (model: ${size.baseBytes} B; metadata ${size.metadataBytes} B of each)`);
    const model = await cloneModel(ctx.tf, ctx.model);
    const candidate = await pruneStructured(ctx, model, used, size.sparsity, name, size.kept);
    const files = `${size.bytes} B with ${size.metadataBytes} B of metadata, limit ${size.limit} B; the model's: ${size.baseBytes} B`;
    candidates.push({
      ...candidate,
      notes: `${widened}${size.fits ? `Channel sparsity ${size.sparsity.toFixed(3)}${used.residual === 'together' && plan.groups.some(isResidualGroup) ? ` (the residual path at ${used.residualShare} of it)` : ''} is the least whose ${config.sizeQuantization} file fits ${text}${size.givenBack > 0 ? `, and ${size.givenBack} channel(s) were given back within it` : ''} (${files}; before fine-tuning).` : `No channel sparsity fits ${text} ${config.sizeQuantization} file (${files}; at ${size.sparsity}).`} ${candidate.notes ?? ''}`,
      metrics: {
        ...candidate.metrics,
        ...('bytes' in budget ? { targetBytes: budget.bytes } : { targetSize: budget.fraction }),
        sizeBytes: size.bytes, sizeBaseBytes: size.baseBytes, sizeLimitBytes: size.limit, sizeMetadataBytes: size.metadataBytes,
        residualTogether: used.residual === 'together' ? 1 : 0,
        residualShare: used.residual === 'together' ? used.residualShare : 0,
      },
    });
    ctx.log.info(`candidate ${name}: ${candidate.notes ?? ''}`);
  }
  return candidates;
}

export default definePlugin<PruningConfig>({
  manifest: {
    name: 'pruning',
    version: '1.4.0',
    sdk: '^1.7.0',
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
      if (sizeBudgets(config).length > 0) return pruneToSizes(ctx, config);
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
