// The run's time budget, spent by the planner: how many distillation trials (students × search
// points), in which search groups, whether the weaker ones stop early (successive halving),
// whether the structurally pruned teacher is distilled as well (prune → distill, Minitron-style),
// and how the seconds are shared among the training steps. Pure: the same budget and task give
// the same allocation, and each plugin turns its seconds into epochs with a fixed cost model, so
// the same budget gives the same run.
//
// A budget is seconds of training for the whole run (not per target: steps the targets share —
// the joint distillation — run once). Default: DEFAULT_BUDGET_SECONDS.

/** Budget of a run that sets none: small enough that a three-target run on the demo data ends within two minutes here. */
export const DEFAULT_BUDGET_SECONDS = 45;
export const MIN_BUDGET_SECONDS = 5;
export const MAX_BUDGET_SECONDS = 7 * 24 * 3600;
/** From this budget each image tier trains a generic student beside the teacher-derived one and the tiers' weights split the students' seconds. */
const FROM_SCRATCH_SECONDS = 240;
/** From this budget the smallest image tier trains a plain CNN from scratch (alone) instead. */
const PLAIN_CNN_SECONDS = 900;
/** From this budget each image tier searches four students (two below it) at two (T, α) points. */
const SEARCH_WIDE_SECONDS = 3600;
/** From this budget the quarter-size prune → distill level gets 30 % of the budget (15 % below it). */
const QUARTER_LEVEL_SECONDS = 1800;

/** A generic (MobileNet-style / MLP) student as the plugin's config takes it. */
export interface GenericStudent { width: number; depth: number; resolution?: number; group: string; maxParamsFraction: number; family?: 'cnn' }
/** A distillation student as the plugin's config takes it (see plugins/distillation config.ts):
 * generic, or teacher-derived with the generic student it falls back to when the teacher's
 * architecture cannot be narrowed. */
export type StudentChoice = GenericStudent | { teacherWidth: number; group: string; fallback: GenericStudent };

/** A search group: the trials competing for one size tier (a fraction of the teacher's size). */
export interface SizeTier {
  name: string;
  /** Generic students: at most this fraction of the teacher's parameters. */
  fraction: number;
  /** The teacher's architecture at this width has an int8 file of at most `fraction` of the teacher's. */
  teacherWidth: number;
  /** Image tasks: a plain CNN student (the plugin's family 'cnn') of at most teacherWidth² of the
   * teacher's parameters is this tier's only trial (vector tasks: the teacher-derived one). */
  plainCnn?: boolean;
  /** Its weight in the split of the students' seconds (the plugin's groupWeights; 1 when absent). */
  weight?: number;
}

// Teacher widths: parameters fall a little slower than width² (the first convolution's inputs and
// the classifier's outputs do not narrow) and every tensor costs file bytes besides its weights,
// so √fraction overshoots. Measured int8 files of the narrowed bench teachers (2026-12-06, int8
// export of untrained nets; ResNet-8 93,040 B, MNIST CNN 231,584 B): width 0.6 → 39,856 / 86,160 B
// (≤ ½: 0.65 gave 45,824 B untrained but 47,338–47,738 B trained in bench:cifar, over half of
// the trained teacher's 94,010 B), 0.35 → 19,248 / 32,272 B (≤ ¼: 0.4 gave 23,072 B untrained but
// 24,650–25,034 B trained, over a quarter), 0.2 → 11,792 / 13,760 B (1/16 of the MNIST CNN's;
// ResNet-8's fixed per-tensor bytes keep it at 1/8). Trained files came out 4–9 % larger.
export const SIZE_TIERS: readonly SizeTier[] = [
  { name: 'half', fraction: 0.5, teacherWidth: 0.6 },
  { name: 'quarter', fraction: 0.25, teacherWidth: 0.35 },
  { name: 'sixteenth', fraction: 1 / 16, teacherWidth: 0.2, plainCnn: true, weight: 4 },
];

/** How a prune → distill level prunes a residual net and distils the result: the pruning plugin's
 * `residual` and `residualShare`, and the distillation's (Adam) learning rate. */
export interface LevelSettings { residual: 'keep' | 'together'; residualShare: number; learningRate: number }

/** A prune → distill level: the file size the pruned teacher must fit — a fraction of the
 * teacher's file (`size`) or the run's maxBytes (`bytes`) — the seconds of its distillation and
 * its settings. */
export type PruneLevel = LevelSize & { seconds: number } & LevelSettings;
/** The file size of a prune → distill level: a fraction of the teacher's file, or bytes. */
type LevelSize = { size: number; bytes?: undefined } | { bytes: number; size?: undefined };

/**
 * The levels' settings, by evidence on CIFAR-10's ResNet-8 (docs/planner.md).
 * ½ (and the run's maxBytes): the layers feeding the Adds kept whole while the size allows
 * (1.65 points over pruning them too, bench/cifar-probes.ts), a gentle 10⁻³ (bench:cifar's
 * 57.40 % beside a 57.95 % teacher).
 * ¼: kept whole, the residual path leaves the blocks' first convolutions 6 % of their channels
 * (sparsity 0.94: bench:students at 45 minutes, 52.25 % after 11 epochs); pruned together with
 * half the others' sparsity it is a balanced net (sparsity 0.785), and having lost most of the
 * teacher's channels it must move further in few epochs: `SIZE=0.25 RESIDUAL_SHARE=0.5 EPOCHS=6
 * npx tsx bench/cifar-probes.ts` (2026-12-07 11:32–11:43) reached 54.25 % after 6 epochs at
 * 3·10⁻³ against 51.25 % at 10⁻³.
 */
const LEVEL_SETTINGS: { half: LevelSettings; quarter: LevelSettings } = {
  half: { residual: 'keep', residualShare: 1, learningRate: 0.001 },
  quarter: { residual: 'together', residualShare: 0.5, learningRate: 0.003 },
};

export interface BudgetAllocation {
  seconds: number;
  /** The joint distillation call every distill chain shares. */
  distill: {
    seconds: number;
    students: StudentChoice[];
    grid: Array<{ temperature: number; alpha: number }>;
    halvingEta: number;
    /** Each search group's weight in the split of the students' seconds (groups not named weigh 1). */
    groupWeights: Record<string, number>;
  };
  /** Prune (structured, to a fraction `size` of the teacher's file, or to `bytes`) → distill the
   * pruned teacher; one chain each, empty when the budget or the plugins do not allow it. */
  pruneThenDistill: PruneLevel[];
  pruneEpochs: number;
  qatEpochs: number;
  /** One line per decision, for the run's log and docs. */
  notes: string[];
}

/** Trial name of a student as the distillation plugin names its candidates (`trialName` there). */
export function studentTrialName(student: StudentChoice, point: { temperature: number; alpha: number }, gridSize: number): string {
  const base = 'teacherWidth' in student
    ? `student-${student.group}-teacher-w${student.teacherWidth}`
    : `student-${student.group}-${student.family === 'cnn' ? 'cnn-' : ''}w${student.width}-d${student.depth}${student.resolution !== undefined && student.resolution !== 1 ? `-r${student.resolution}` : ''}`;
  return gridSize > 1 ? `${base}-t${point.temperature}-a${point.alpha}` : base;
}

/** Parses '90', '90s', '10m', '1.5h' into seconds; throws on anything else. */
export function parseBudget(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new Error(`cannot read budget "${text}": write it like 90s, 10m or 1.5h`);
  const unit = (m[2] ?? 's').toLowerCase();
  return Number(m[1]) * (unit.startsWith('h') ? 3600 : unit.startsWith('m') ? 60 : 1);
}

export function checkBudgetSeconds(seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < MIN_BUDGET_SECONDS || seconds > MAX_BUDGET_SECONDS) {
    throw new Error(`budget must be between ${MIN_BUDGET_SECONDS} s and ${MAX_BUDGET_SECONDS / 86400} days, got ${seconds} s`);
  }
}

/**
 * Spends `seconds` on the run's training steps. Image tasks search student width/depth/resolution
 * per size tier; other tasks train one MLP per tier. Larger budgets buy more trials per tier, a
 * (T, α) grid and prune → distill; successive halving keeps the extra trials cheap.
 */
export function allocateBudget(input: { seconds: number; image: boolean; canPruneThenDistill: boolean; maxBytes?: number | null }): BudgetAllocation {
  checkBudgetSeconds(input.seconds);
  const s = input.seconds;
  const notes: string[] = [];
  // The pruned teacher keeps the teacher's own features: distilling it is the cheapest way to a
  // good small model (measured in bench:students and bench:cifar), so it comes first. Its levels
  // are file sizes — ½ and ¼ of the teacher's file in the target's format, the sizes users ask
  // for — and the pruning plugin finds the channel sparsity that fits each on the model at hand
  // (a fixed sparsity gave ResNet-8 48,202 B at 60 % and 44,746 B at 65 % of the channels of its
  // prunable layers, the MNIST CNN a third of its file at 65 %).
  // A run with maxBytes rejects every file over it: its first level prunes to maxBytes itself
  // instead of ½ (over maxBytes, or smaller than the largest file the user accepts), with the
  // share ½ would have had; ¼ stays beside it from 240 s.
  const maxBytes = input.maxBytes ?? null;
  const fractions = !input.canPruneThenDistill || s < 30 ? [] : s >= 240 ? [0.5, 0.25] : [0.5];
  const sizes: LevelSize[] = fractions.map((size, i) => (i === 0 && maxBytes !== null ? { bytes: maxBytes } : { size }));
  // Shares. Students trained from scratch stay far below the teacher (the demo at the default
  // 45 s, 2026-12-06: 70.7 / 68.8 / 36.2 % beside a 98.5 % teacher after 25 s of joint training,
  // while prune → distill reached 95.5 % in 9 s; bench:cifar at 5 minutes: 19.8–38.8 % beside a
  // 58.4 % teacher, prune → distill 49.6–54.85 %), so the pruned teacher gets the larger share at
  // every budget. From 240 s its first (half-size) level gets 60 % of the budget (45 % from 30
  // minutes, below): it is the chain the run waits for (its pruning epoch, then its distillation, on one worker while the other
  // trains the rest), and on CIFAR-10 it needs epochs (bench/cifar-probes.ts, 2026-12-07: ResNet-8
  // pruned to ½ of its int8 file, 52.75 % after its pruning epoch, reached 51.95 / 53.85 / 56.40 /
  // 56.55 % over 4 epochs of distillation beside a 57.90 % teacher; an epoch is 111 s in the cost
  // model, so 6 epochs at a 19-minute budget). QAT and pruning fine-tuning run by epochs, outside
  // these shares.
  const pruneDistillShare = sizes.length === 0 ? 0 : sizes.length === 2 ? 0.75 : 0.45;
  const distillShare = sizes.length === 0 ? 0.75 : sizes.length === 2 ? 0.25 : 0.3;
  // From 30 minutes the quarter level gets 30 % and the half level 45 %: by then the half level
  // has the epochs it needs (6 at 19 minutes, 0.55 under the teacher; its curve flattens from the
  // fourth) while the quarter net still gains about a point an epoch at its sixth (the probes
  // above LEVEL_SETTINGS), and with 15 % it got 2 epochs at 19 minutes (44.45 %).
  const levelShares = sizes.length === 2 ? (s >= QUARTER_LEVEL_SECONDS ? [0.45 / 0.75, 0.3 / 0.75] : [0.6 / 0.75, 0.15 / 0.75]) : [1];
  // Trials per tier: from 240 s the teacher-derived student and a generic one (the search compares
  // the two families); the generic variants at half depth and half resolution join from an hour.
  // They joined from 600 s until 2026-12-07: in every bench the generic students of the half and
  // quarter tiers stayed 2–19 points under the teacher-derived ones (MNIST, Fashion-MNIST,
  // CIFAR-10), which the prune → distill levels beat at those sizes, yet every trial costs at least
  // an epoch: at bench:students' 19 minutes on MNIST the two tiers' eight trials took 132 of the
  // students' 285 s (cost model), and the plain CNN got 11 epochs where it needs 30–40
  // (docs/planner.md).
  const trialsPerTier = !input.image ? 1 : s >= SEARCH_WIDE_SECONDS ? 4 : s >= FROM_SCRATCH_SECONDS ? 2 : 1;
  // The teacher-derived student comes first in every tier, so that it is the one trial a short
  // budget trains: the teacher at reduced width learns far faster than a generic net from scratch
  // (bench/distill-hints.ts on the demo's MNIST teacher: 88–95 % after 2 epochs, where the
  // MobileNet-style students of a 45 s demo run got 19–71 %). Its fallback — the tier's next
  // generic variant not otherwise trained — takes its place when the teacher cannot be narrowed.
  const students: StudentChoice[] = [];
  for (const tier of SIZE_TIERS) {
    const generic = (depth: number, resolution: number): GenericStudent => ({ width: 1, depth, resolution, group: tier.name, maxParamsFraction: tier.fraction });
    const variants = [generic(1, 1), generic(0.5, 1), generic(1, 0.5), generic(0.5, 0.5)];
    // The smallest tier of an image task trains a plain CNN (3×3 convolutions and max pools,
    // a flatten head): its bytes go to convolutions, where the narrowed teacher's go to its dense
    // layer (bench/teacher-probe.ts on bench:students' MNIST split, 2026-12-07: 10,114 parameters
    // trained alone reached 98.25 % in 20 epochs; the teacher at width 0.2, 9,521 parameters,
    // distilled for 20 epochs, 97.85 %).
    // Under PLAIN_CNN_SECONDS a net from scratch gets too few epochs, and the teacher at width
    // 0.2 leads the tier instead (the demo at its 45 s budget, 2026-12-07: the plain CNN 84.5 %,
    // the teacher at width 0.2 94.93 % the session before, beside a 98.5 % teacher). With the
    // students' 25 % of the budget the cost model buys the CNN 1 / 6 / 11 epochs at 4 / 10 / 15
    // minutes on bench:students' MNIST (bench/budget-epochs.ts); distilled, it passes the teacher
    // at width 0.2 from about 10 epochs (97.60 % after 10, 98.20 % after 20; the teacher at width
    // 0.2 97.15 % after 8, 97.85 % after 20 — bench/distill-probe.ts, docs/planner.md). It led the
    // tier from 240 s until 2026-12-07, when the students had a larger share.
    const lead: GenericStudent[] = input.image && tier.plainCnn && s >= PLAIN_CNN_SECONDS
      ? [{ width: 1, depth: 1, group: tier.name, maxParamsFraction: tier.teacherWidth ** 2, family: 'cnn' }]
      : [];
    // It is the tier's only trial: the MobileNet-style students at 1/16 of the teacher stayed far
    // under it (bench:students at 5 minutes, 2026-12-07: MNIST 81.2 %, Fashion 72.2 %, teachers
    // 98.75 / 91.25 %), and successive halving would stop the CNN (from scratch) at its first
    // rung, behind the teacher at width 0.2 (which starts from the teacher's channels), before
    // the epochs it needs — after 20 epochs of distillation the CNN scored 98.2–98.5 %, the
    // teacher at width 0.2 97.85 % (bench/distill-probe.ts; docs/planner.md).
    const slots = lead.length > 0 ? 0 : trialsPerTier;
    const others = variants.slice(0, Math.max(0, slots - 1));
    students.push(...lead, ...(slots > 0 ? [{ teacherWidth: tier.teacherWidth, group: tier.name, fallback: variants[slots - 1] }, ...others] : []));
  }
  // From 240 s (several trials per tier) the tiers' weights split the students' seconds: the
  // plain CNN trains from scratch and needs epochs, the teacher-derived students of the larger
  // tiers start from the teacher's channels and need few. Under 240 s (the default budget, the
  // demo) the tiers share equally.
  const groupWeights: Record<string, number> = input.image && s >= FROM_SCRATCH_SECONDS ? Object.fromEntries(SIZE_TIERS.filter((t) => t.weight !== undefined).map((t) => [t.name, t.weight!])) : {};
  // The (T, α) grid doubles every trial, the plain CNN's too (1.5× its epochs under halving), so it
  // joins with the wide search, from an hour (from 1200 s until 2026-12-07: at 30 minutes it cut the
  // CNN's epochs from 27 to 18 by the cost model; on CIFAR-10 at 28 minutes (2, 0.1) beat (4, 0.3)
  // by 0.25–3 points in each tier, among students the prune → distill levels beat by far).
  const grid = input.image && s >= SEARCH_WIDE_SECONDS ? [{ temperature: 4, alpha: 0.3 }, { temperature: 2, alpha: 0.1 }] : [];
  notes.push(`${trialsPerTier} trial(s) per size tier (${SIZE_TIERS.map((t) => t.name).join(', ')})${grid.length ? `, each at ${grid.length} (T, α) points` : ''}${trialsPerTier > 1 || grid.length ? ', successive halving within each tier' : ''}`);
  const levelText = (l: LevelSize) => (l.bytes !== undefined ? `${l.bytes} B (the run's maxBytes)` : `${l.size} of the teacher's file`);
  notes.push(sizes.length > 0 ? `prune → distill to ${sizes.map(levelText).join(' and ')}: the structurally pruned teacher is distilled too` : 'no prune → distill (budget under 30 s or no pruning plugin)');
  return {
    seconds: s,
    distill: { seconds: round(s * distillShare), students, grid, halvingEta: 2, groupWeights },
    pruneThenDistill: sizes.map((level, i) => ({
      ...level, seconds: round(s * pruneDistillShare * levelShares[i]!), ...(level.size === 0.25 ? LEVEL_SETTINGS.quarter : LEVEL_SETTINGS.half),
    }) as PruneLevel),
    pruneEpochs: s >= 180 ? 2 : 1,
    qatEpochs: 1,
    notes,
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
