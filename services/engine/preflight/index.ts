// Pre-flight of an uploaded model: can it be exported to TFLite at all, which layers stop it and
// why, and — per quantization mode — which ops and tensor types the export holds and which layer
// each op comes from, plus parameters, MACs and peak activation memory. A pure function of the
// model (random int8 calibration data: only the graph's structure matters here); services/targets
// turns it into a per-target verdict.
import { tf } from '../backend/index.ts';
import { countMacs } from '../evaluate/index.ts';
import { exportTflite, getOpSpecIfAny, irOpLayers, registeredLayerClasses, type QuantizationMode } from '../export/index.ts';
import { bagOfIdsModel } from '../text/bag-of-ids-model.ts';

export interface PreflightBlocker {
  layer: string;
  className: string;
  reason: string;
}

export interface PreflightExport {
  mode: QuantizationMode;
  /** int8 only: 'int8' when inputs and outputs are int8 too (targets without float32 tensors). */
  ioType?: 'float32' | 'int8';
  bytes: number;
  ops: string[];
  tensorTypes: string[];
  peakActivationBytes: number;
}

export interface ExportPreflight {
  parameterCount: number;
  macs: number;
  /** Layers the exporter cannot write (empty when the model exports). */
  blockers: PreflightBlocker[];
  /** One entry per quantization mode the model exports in. */
  exports: PreflightExport[];
  /** Float TFLite op → the layers it comes from. */
  opLayers: Record<string, string[]>;
  /** Layers whose ops have no int8 kernel and stay float inside int8 models. */
  floatInInt8Layers: string[];
  /** The same for the bag-of-ids form of an Embedding → GlobalAveragePooling1D model (what a
   * target without GATHER gets, engine/text/bag-of-ids-model.ts); absent when it has none. */
  gatherFree?: { exports: PreflightExport[]; opLayers: Record<string, string[]> };
}

const MODES: QuantizationMode[] = ['float32', 'float16', 'dynamic-int8', 'int8'];

function layersOf(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? layersOf(l) : [l]));
}

export async function exportPreflight(model: tf.LayersModel): Promise<ExportPreflight> {
  const known = new Set(registeredLayerClasses());
  const blockers: PreflightBlocker[] = layersOf(model)
    // A functional model's InputLayer is its input, not an op (keras-to-ir.ts starts from it).
    .filter((l) => l.getClassName() !== 'InputLayer' && !known.has(l.getClassName()))
    .map((l) => ({ layer: l.name, className: l.getClassName(), reason: `no TFLite converter for ${l.getClassName()}` }));
  let macs = 0;
  try {
    macs = countMacs(model).total;
  } catch {
    macs = 0;
  }
  const report: ExportPreflight = { parameterCount: model.countParams(), macs, blockers, exports: [], opLayers: {}, floatInInt8Layers: [] };
  if (blockers.length > 0) return report;

  try {
    report.opLayers = irOpLayers(model);
  } catch (error) {
    report.blockers.push(blockerFromError(error));
    return report;
  }
  for (const [op, layers] of Object.entries(report.opLayers)) {
    if (getOpSpecIfAny(op)?.int8Output === 'float') report.floatInInt8Layers.push(...layers);
  }
  try {
    report.exports = await exportsOf(model);
  } catch (error) {
    report.blockers.push(blockerFromError(error));
    return report;
  }
  const form = bagOfIdsModel(model);
  if (form) {
    try {
      report.gatherFree = { exports: await exportsOf(form.model), opLayers: irOpLayers(form.model) };
    } catch {
      // No bag-of-ids verdict: targets without GATHER judge the model as it is.
    } finally {
      form.model.dispose();
    }
  }
  return report;
}

/** The model exported in every mode (random calibration); throws when float32 fails. */
async function exportsOf(model: tf.LayersModel): Promise<PreflightExport[]> {
  const sample = model.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const calibration = tf.tidy(() => tf.randomUniform([8, ...sample], 0, 1, 'float32', 1).dataSync() as Float32Array);
  const exports: PreflightExport[] = [];
  const variants: { mode: QuantizationMode; ioType?: 'int8' }[] = [...MODES.map((mode) => ({ mode })), { mode: 'int8', ioType: 'int8' }];
  for (const { mode, ioType } of variants) {
    try {
      const exported = await exportTflite(model, { quantization: mode, representativeData: [calibration], ...(ioType ? { ioType } : {}) });
      exports.push({ mode, ...(ioType ? { ioType } : {}), bytes: exported.bytes.length, ops: exported.ops, tensorTypes: exported.tensorTypes.map((t) => t.toLowerCase()), peakActivationBytes: exported.peakActivationBytes });
    } catch (error) {
      if (mode === 'float32') throw error;
    }
  }
  return exports;
}

/** An exporter error names the layer as `layer 'x' (Class)` or `layer 'x' of type Class`. */
function blockerFromError(error: unknown): PreflightBlocker {
  const message = error instanceof Error ? error.message : String(error);
  const named = /layer '([^']+)'(?: \(([^)]+)\)| of type (\S+))?/.exec(message);
  return { layer: named?.[1] ?? '(model)', className: named?.[2] ?? named?.[3] ?? 'unknown', reason: message.split('\n')[0] };
}
