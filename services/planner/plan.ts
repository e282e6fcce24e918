// planCandidates: from the task (dataset kind and shape), the targets, the installed plugins and
// the constraints, the technique chains worth trying — pure, no model or data touched.
// Chains per target:
//   quantize alone        (int8 through the quantization plugin, which fine-tunes quantization-aware
//                          when post-training int8 loses too much; other formats straight at export)
//   prune → quantize      (structured: a narrower, faster model)
//   distill(s) → quantize for each student size s (one joint training run for all sizes)
//   distill → prune → quantize  (only when the size budget is tight)
//   cluster → quantize    (when a clustering plugin is installed)
//   prune vocabulary → quantize  (text models over token ids: the Embedding rows of words rare in the
//                          training split removed, at VOCABULARY_COVERAGES; one call for both)
//   project               (text datasets: ProjectionNet students at PROJECTION_SIZES, one joint training
//                          call beside a trainer — the run's text model when it reads token ids)
// and each ends in the export quantization the target needs.
import { getTarget } from '../targets/index.ts';
import type { ExportQuantization, HardwareTarget } from '../targets/index.ts';
import type {
  CandidatePlan, ChainFamily, ChainStep, PlanBudget, PlannerInput, PlannerPluginInfo,
} from './types.ts';
import { CHAIN_FAMILIES } from './types.ts';
import { allocateBudget, studentTrialName, type PruneLevel } from './budget.ts';

export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanInputError';
  }
}

const DEFAULT_BUDGET: Required<Omit<PlanBudget, 'projectionEpochs' | 'batchSize' | 'augmentation'>> = { distillEpochs: 3, pruneEpochs: 2, samplesPerEpoch: 0, qatEpochs: 1 };
/** The distillation contract's augmentation keys when a budget turns augmentation off. */
const NO_AUGMENTATION = { mixup: 0, cropPadding: 0, flip: 'never' } as const;
const DEFAULT_STUDENTS = ['large', 'medium', 'small'] as const;
/** ProjectionNet students (T hash functions × 8 bits → H hidden units), dynamic-int8 files with
 * their front end of ~41 KB, ~14 KB and ~9 KB (measured by bench:text). */
/** ProjectionNet students: accuracy comes from the number of projection bits far more than from
 * hidden units (SpamAssassin, docs/text.md: 2,048 bits → 4 hidden beats 512 bits → 16 hidden by
 * ~2 points at the same bytes), so the planned sizes spend the bytes on bits: T·d = 2,048 (the most
 * float16 seeds hold exactly) with 4 or no hidden units, and 1,024 bits → 8 for half the hashing
 * per inference. All three are ≤ 16 KB dynamic-int8. */
export const PROJECTION_SIZES = [{ numHash: 256, hiddenUnits: 4 }, { numHash: 256, hiddenUnits: 0 }, { numHash: 128, hiddenUnits: 8 }] as const;
const PROJECTION_BITS = 8;
/** Vocabulary pruning of a text model (token ids with texts beside): keep the most frequent ids
 * covering these fractions of the training split's tokens. The int8 Embedding table is most of such
 * a file (bench:text: 80,000 of 84,000 bytes for Embedding(5000, 16)), so fewer rows is where a
 * 4× smaller file comes from. */
export const VOCABULARY_COVERAGES = [0.99, 0.97] as const;
/** Below this file budget (bytes) distilled students are pruned as well. */
const TIGHT_BYTES = 1024 * 1024;

/** True when `plugin` declares `mode` on `target` (or declares no modes there). */
function offers(plugin: PlannerPluginInfo, target: string, mode: string | undefined): boolean {
  const modes = plugin.modes?.[target];
  return mode === undefined || modes === undefined || modes.includes(mode);
}

/**
 * The plugin of `kind` for `target`, chosen by the plugins' declarations: it must declare the
 * target (or '*') and offer `mode` there (when the chain needs one, e.g. 'int8', 'structured');
 * a plugin naming the target wins over one declaring '*', then the name decides, so plans are
 * stable. It is handed only its kind's config contract (plugins/sdk/README.md).
 */
function pluginFor(plugins: PlannerPluginInfo[], kind: string, target: string, mode?: string): PlannerPluginInfo | undefined {
  const named = (p: PlannerPluginInfo) => p.hardwareTargets.includes(target);
  return plugins
    .filter((p) => p.kind === kind && (named(p) || p.hardwareTargets.includes('*')) && offers(p, target, mode))
    .sort((a, b) => Number(named(b)) - Number(named(a)) || a.name.localeCompare(b.name))[0];
}

/** Export formats the chains of a target end in: compression chains use the target's preferred
 * one; "quantize alone" also tries every smaller format the target accepts. */
function quantizeAloneFormats(target: HardwareTarget): ExportQuantization[] {
  const order: ExportQuantization[] = ['int8', 'dynamic-int8', 'float16'];
  const smaller = order.filter((q) => q !== 'float32' && target.acceptedQuantizations.includes(q));
  return smaller.length > 0 ? smaller : [target.preferredQuantization];
}

function checkInput(input: PlannerInput): void {
  if (!Array.isArray(input.targets) || input.targets.length === 0) throw new PlanInputError('the plan needs at least one hardware target');
  for (const id of input.targets) {
    try {
      getTarget(id);
    } catch (err) {
      throw new PlanInputError((err as Error).message);
    }
  }
  if (!(input.dataset.numClasses >= 2)) throw new PlanInputError(`the dataset must have at least 2 classes, got ${input.dataset.numClasses}`);
  for (const f of input.families ?? []) {
    if (!(CHAIN_FAMILIES as readonly string[]).includes(f)) throw new PlanInputError(`unknown chain family '${f}' (known: ${CHAIN_FAMILIES.join(', ')})`);
  }
  const s = input.pruneSparsity;
  if (s !== undefined && !(s > 0 && s < 1)) throw new PlanInputError(`pruneSparsity must be between 0 and 1, got ${s}`);
}

/** Candidate chains for every target; keys are unique. Throws PlanInputError on bad input. */
export function planCandidates(input: PlannerInput): CandidatePlan[] {
  checkInput(input);
  // A time budget (seconds) decides the distillation students, search and epochs (budget.ts);
  // without one the fixed epochs of `input.budget` apply.
  const allocation = input.seconds !== undefined && input.dataset.kind !== 'text'
    ? allocateBudget({
      seconds: input.seconds, image: input.dataset.inputShape.length === 3, canPruneThenDistill: input.plugins.some((p) => p.kind === 'pruning'),
      maxBytes: input.constraints?.maxBytes ?? null,
    })
    : null;
  const budget = { ...DEFAULT_BUDGET, ...(allocation ? { pruneEpochs: allocation.pruneEpochs, qatEpochs: allocation.qatEpochs } : {}), ...input.budget };
  const wanted = new Set<ChainFamily>(input.families ?? CHAIN_FAMILIES);
  const students = input.students ?? [...DEFAULT_STUDENTS];
  const sparsity = input.pruneSparsity ?? 0.5;
  const isText = input.dataset.kind === 'text';
  const hasTexts = isText || input.dataset.texts === true;
  const limit = budget.samplesPerEpoch > 0 ? budget.samplesPerEpoch : 0;
  const batch = input.budget?.batchSize ? { batchSize: input.budget.batchSize } : {};
  const augmentation = input.budget?.augmentation === false ? NO_AUGMENTATION : {};
  const plans: CandidatePlan[] = [];

  for (const targetId of input.targets) {
    const target = getTarget(targetId);
    const q = target.preferredQuantization;
    const find = (kind: string, mode?: string) => pluginFor(input.plugins, kind, targetId, mode);
    // The int8 close of a chain needs a quantizer offering int8 here; pruning chains prune structured.
    const quantizer = find('quantization', 'int8');
    const pruner = find('pruning', 'structured');
    const distiller = find('distillation');
    const clusterer = find('clustering');
    const projector = find('projection');

    /** The closing step for export format `format`: int8 goes through the quantization plugin
     * (calibration check, QAT when needed); the other formats need no training. */
    const quantizeStep = (format: ExportQuantization): ChainStep[] => (format === 'int8' && quantizer && !isText
      ? [{ plugin: quantizer.name, kind: 'quantization', config: { modes: ['int8'], qatEpochs: budget.qatEpochs, samplesPerEpoch: limit, ...batch } }]
      : []);
    const pruneStep = (): ChainStep => ({
      plugin: pruner!.name, kind: 'pruning',
      config: { mode: 'structured', targetSparsity: sparsity, epochs: budget.pruneEpochs, endEpoch: Math.max(0, budget.pruneEpochs - 0.5), samplesPerEpoch: limit, ...batch },
    });
    // Every distillation chain names the same call (all students, one joint loop) and picks its
    // own student, so the call's content address is the same and it runs once per run.
    const distillStep = (student: string): ChainStep => ({
      plugin: distiller!.name, kind: 'distillation',
      config: { epochs: budget.distillEpochs, samplesPerEpoch: limit, ...batch, ...augmentation, students: [...students] },
      pick: `student-${student}`,
    });
    /** The budgeted joint distillation call (budget.ts), continuing with trial `pick` (default: the first). */
    const distillBudgeted = (pick?: string): ChainStep => {
      const { students: trials, grid, halvingEta, seconds, groupWeights } = allocation!.distill;
      return {
        plugin: distiller!.name, kind: 'distillation',
        config: { budgetSeconds: seconds, samplesPerEpoch: limit, ...batch, ...augmentation, students: trials, grid, halvingEta, groupWeights },
        pick: pick ?? studentTrialName(trials[0], grid[0] ?? { temperature: 4, alpha: 0.3 }, grid.length),
      };
    };
    const add = (family: ChainFamily, name: string, label: string, chain: ChainStep[], format: ExportQuantization): void => {
      plans.push({ key: `${targetId}:${name}+${format}`, label: `${label}${label ? ' → ' : ''}export(${format})`, family, chain, target: targetId, quantization: format });
    };
    const qLabel = (format: ExportQuantization) => (quantizeStep(format).length > 0 ? `quantize(${format})` : '');
    const join = (...parts: string[]) => parts.filter(Boolean).join(' → ');

    if (hasTexts && wanted.has('project') && projector) {
      const config = { ...(input.budget?.projectionEpochs ? { epochs: input.budget.projectionEpochs } : {}), ...batch };
      // The projection's int32 hash tensor cannot be int8: the smallest float-I/O format instead.
      const format: ExportQuantization = (['dynamic-int8', 'float16', 'float32'] as const).find((f) => target.acceptedQuantizations.includes(f)) ?? q;
      // One call trains every size (same config → same content address, run once per run).
      const sizes = PROJECTION_SIZES.map((s) => ({ ...s }));
      // A .tflite runtime without LSH_PROJECTION (the GPU delegate) gets the form whose front end
      // hashes: the file is dense layers only.
      const hashing = target.format === 'tflite' && !target.ops.includes('LSH_PROJECTION') ? { hashing: 'front-end' } : {};
      for (const s of PROJECTION_SIZES) {
        const name = `project-${s.numHash}x${PROJECTION_BITS}-h${s.hiddenUnits}`;
        add('project', name, `project(${s.numHash}×${PROJECTION_BITS} bits, ${s.hiddenUnits} hidden)`, [{
          plugin: projector.name, kind: 'projection', config: { ...config, numBits: PROJECTION_BITS, sizes, quantization: format, ...hashing },
          pick: `projection-${s.numHash}x${PROJECTION_BITS}-h${s.hiddenUnits}`,
        }], format);
      }
    }
    // Raw text only (no tokenizer): the model's own chains have nothing to read.
    if (isText) continue;
    if (wanted.has('quantize')) {
      for (const format of quantizeAloneFormats(target)) add('quantize', 'quantize', qLabel(format), quantizeStep(format), format);
    }
    // Prune → distill levels under a budget (file sizes, budget.ts).
    const levels = wanted.has('prune-distill') && pruner && distiller ? allocation?.pruneThenDistill ?? [] : [];
    // Minitron-style: prune the teacher's channels (the pruning plugin's gradual schedule over one
    // epoch: in bench:students one-shot pruning then a short distillation lost 5 points to it)
    // until its file in the target's format fits `size` of the teacher's, or the run's maxBytes.
    // How a residual net's Adds are pruned is the level's (budget.ts).
    const levelPrune = (level: PruneLevel): ChainStep => ({
      plugin: pruner!.name, kind: 'pruning',
      config: {
        mode: 'structured', ...(level.bytes !== undefined ? { targetBytes: level.bytes } : { targetSize: level.size }),
        residual: level.residual, residualShare: level.residualShare, sizeQuantization: q, epochs: 1, endEpoch: 0.5, samplesPerEpoch: limit, ...batch,
      },
    });
    const levelName = (level: PruneLevel) => (level.bytes !== undefined ? `prune-bytes-${level.bytes}` : `prune-size-${Math.round(level.size * 100)}`);
    const levelLabel = (level: PruneLevel) => `prune(structured to ${level.bytes !== undefined ? `${level.bytes} B` : `${level.size} of the file`})`;
    if (wanted.has('prune') && pruner && levels.length > 1) {
      // With both levels (½ and ¼) planned, the pruned net before its distillation is the prune
      // candidate, from the same (shared) call: a separate fine-tune at a fixed sparsity would cost
      // epochs of the full model outside the budget (bench:cifar at 28 minutes: 485 s of a worker
      // for prune-50) for a size the ¼ level covers. With one level it keeps its own chain.
      const level = levels[0]!;
      add('prune', levelName(level), join(levelLabel(level), qLabel(q)), [levelPrune(level), ...quantizeStep(q)], q);
    } else if (wanted.has('prune') && pruner) {
      add('prune', `prune-${Math.round(sparsity * 100)}`, join(`prune(structured ${sparsity})`, qLabel(q)), [pruneStep(), ...quantizeStep(q)], q);
    }
    const vocabularyPruner = input.dataset.texts ? find('pruning', 'vocabulary') : undefined;
    if (wanted.has('prune') && vocabularyPruner) {
      for (const coverage of VOCABULARY_COVERAGES) {
        const pct = Math.round(coverage * 100);
        add('prune', `prune-vocabulary-${pct}`, join(`prune(vocabulary ${coverage})`, qLabel(q)), [{
          plugin: vocabularyPruner.name, kind: 'pruning', config: { mode: 'vocabulary', coverage: [...VOCABULARY_COVERAGES] }, pick: `pruned-vocabulary-${pct}`,
        }, ...quantizeStep(q)], q);
      }
    }
    if (wanted.has('distill') && distiller && allocation) {
      // One joint call (shared by every chain and target); each chain picks one trial.
      const { students: trials, grid } = allocation.distill;
      const points = grid.length > 0 ? grid : [{ temperature: 4, alpha: 0.3 }];
      for (const trial of trials) {
        for (const point of points) {
          const step = distillBudgeted(studentTrialName(trial, point, grid.length));
          const name = step.pick!.replace(/^student-/, '');
          add('distill', `distill-${name}`, join(`distill(${name})`, qLabel(q)), [step, ...quantizeStep(q)], q);
        }
      }
    } else if (wanted.has('distill') && distiller) {
      for (const student of students) add('distill', `distill-${student}`, join(`distill(${student})`, qLabel(q)), [distillStep(student), ...quantizeStep(q)], q);
    }
    for (const level of levels) {
      // Then distill the pruned net from the teacher — without mixup, which slows a short fine-tune.
      const distill: ChainStep = {
        plugin: distiller!.name, kind: 'distillation',
        config: { students: ['self'], budgetSeconds: level.seconds, learningRate: level.learningRate, mixup: 0, samplesPerEpoch: limit, ...batch },
      };
      add('prune-distill', `${levelName(level)}-distill`, join(levelLabel(level), 'distill', qLabel(q)), [levelPrune(level), distill, ...quantizeStep(q)], q);
    }
    const tight = (input.constraints?.maxBytes ?? Infinity) <= TIGHT_BYTES || target.maxFileBytes <= TIGHT_BYTES;
    // distill → prune for tight sizes; under a budget that plans both prune → distill levels it is left out for
    // a target's own size limit (the pruned teacher's levels reach ½ and ¼ of the file, and this
    // chain's pruning fine-tune runs outside the budget: bench:cifar at 28 minutes, 359 s of a
    // worker), kept for the run's maxBytes or when asked for.
    const coveredByLevels = levels.length > 1 && !input.families?.includes('distill-prune') && (input.constraints?.maxBytes ?? null) === null;
    if (wanted.has('distill-prune') && distiller && pruner && !coveredByLevels && (tight || input.families?.includes('distill-prune'))) {
      const student = students.includes('medium') ? 'medium' : students[0];
      if (allocation) {
        // The pick of the shared joint call: its first (largest) trial.
        const shared = distillBudgeted();
        const name = shared.pick!.replace(/^student-/, '');
        add('distill-prune', `distill-${name}-prune-${Math.round(sparsity * 100)}`, join(`distill(${name})`, `prune(structured ${sparsity})`, qLabel(q)), [shared, pruneStep(), ...quantizeStep(q)], q);
      } else add('distill-prune', `distill-${student}-prune-${Math.round(sparsity * 100)}`, join(`distill(${student})`, `prune(structured ${sparsity})`, qLabel(q)), [distillStep(student), pruneStep(), ...quantizeStep(q)], q);
    }
    if (wanted.has('cluster') && clusterer) {
      add('cluster', 'cluster', join('cluster', qLabel(q)), [{ plugin: clusterer.name, kind: 'clustering', config: {} }, ...quantizeStep(q)], q);
    }
  }
  return plans;
}
