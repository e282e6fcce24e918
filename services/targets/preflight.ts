// Per-target pre-flight verdict from the engine's export pre-flight: can a candidate for this
// target be produced from the uploaded model, which layers stop it and why. Size and memory
// budgets are reported separately: compression exists to meet those.
import type { ExportPreflight, PreflightBlocker } from '../engine/preflight/index.ts';
import { getTarget, listTargets } from './catalog.ts';
import { checkTargetFit } from './fit.ts';

export interface TargetPreflight {
  target: string;
  /** True when the model exports for the target and every op and tensor type runs there. */
  exportable: boolean;
  /** Quantization the verdict is for (the target's preferred one). */
  quantization: string;
  blockers: PreflightBlocker[];
  /** Budgets the uncompressed model misses (file size, activation memory): compression's job. */
  budgetNotes: string[];
  /** Estimated latency of the uncompressed model on the target, ms (null when it does not export). */
  estimatedLatencyMs: number | null;
}

export function targetPreflight(report: ExportPreflight, targetIds: string[] = listTargets().map((t) => t.id)): TargetPreflight[] {
  return targetIds.map((id) => {
    const target = getTarget(id);
    const base = { target: id, quantization: target.preferredQuantization, budgetNotes: [] as string[] };
    if (report.blockers.length > 0) return { ...base, exportable: false, blockers: report.blockers, estimatedLatencyMs: null };
    const int8Io = !target.tensorTypes.includes('float32');
    // A target without GATHER gets the bag-of-ids form of an Embedding → pooling model.
    const form = !target.ops.includes('GATHER') && report.gatherFree ? report.gatherFree : report;
    const exported = form.exports.find((e) => e.mode === target.preferredQuantization && (e.ioType === 'int8') === (int8Io && e.mode === 'int8'))
      ?? form.exports.find((e) => (target.acceptedQuantizations as string[]).includes(e.mode));
    if (!exported) {
      return { ...base, exportable: false, estimatedLatencyMs: null, blockers: [{ layer: '(model)', className: 'model', reason: `the model does not export as ${target.acceptedQuantizations.join(' or ')}` }] };
    }
    const fit = checkTargetFit(target, { bytes: exported.bytes, ops: exported.ops, tensorTypes: exported.tensorTypes, peakActivationBytes: exported.peakActivationBytes, macs: report.macs, weightBytes: exported.bytes });
    const blockers: PreflightBlocker[] = [];
    const targetOps = new Set(target.ops);
    for (const failure of fit.failures) {
      if (failure.rule === 'op-set') {
        for (const op of exported.ops.filter((o) => !targetOps.has(o))) {
          const layers = form.opLayers[op] ?? [];
          if (layers.length === 0) blockers.push({ layer: '(model)', className: op, reason: `${id} cannot run ${op}` });
          for (const layer of layers) blockers.push({ layer, className: op, reason: `${id} cannot run ${op}, which layer '${layer}' exports to` });
        }
      } else if (failure.rule === 'tensor-types') {
        const floatLayers = target.preferredQuantization === 'int8' ? report.floatInInt8Layers : [];
        if (floatLayers.length === 0) blockers.push({ layer: '(model)', className: 'tensor types', reason: failure.message });
        for (const layer of floatLayers) blockers.push({ layer, className: 'float op', reason: `layer '${layer}' has no int8 kernel and stays float32; ${failure.message}` });
      } else {
        base.budgetNotes.push(failure.message);
      }
    }
    return { ...base, exportable: blockers.length === 0, blockers, estimatedLatencyMs: fit.estimatedLatencyMs };
  });
}

/** Techniques whose candidates get a new architecture of supported layers (students). */
export const ARCHITECTURE_CHANGING_PLUGINS = ['distillation', 'projection'];

/**
 * Why a run for `targets` cannot produce anything, or undefined when it can. A model the exporter
 * cannot write fails every target (its baseline is a float32 export). A target whose ops or tensor
 * types the model cannot meet is refused unless the run may change the architecture (distillation
 * or projection students are built from supported layers).
 */
export function preflightRefusal(
  preflight: { blockers: PreflightBlocker[]; targets: TargetPreflight[] },
  targets: string[],
  canChangeArchitecture: boolean,
): string | undefined {
  const describe = (blockers: PreflightBlocker[]) => blockers.slice(0, 5).map((b) => b.reason).join('; ') + (blockers.length > 5 ? `; and ${blockers.length - 5} more` : '');
  if (preflight.blockers.length > 0) return `the model cannot be exported to TFLite: ${describe(preflight.blockers)}`;
  if (canChangeArchitecture) return undefined;
  const blocked = preflight.targets.filter((t) => targets.includes(t.target) && !t.exportable);
  if (blocked.length === 0) return undefined;
  return blocked.map((t) => `nothing can be produced for ${t.target}: ${describe(t.blockers)}`).join('; ');
}
