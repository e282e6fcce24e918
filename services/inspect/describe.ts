// The inspection itself, as it runs inside the inspection child (services/inspect/child.ts):
// engine readers turn untrusted bytes into the metadata the API stores. Models are imported
// with their weights (every weight tensor read and checked against the topology), so a .keras
// or .h5 whose weights do not fit its config is rejected at upload, not at run time.
import type { DatasetMetadata, DatasetOpenOptions, ModelMetadata } from '../api/dependencies.ts';
import { openDataset } from '../engine/data/index.ts';
import { importModel } from '../engine/import/index.ts';
import { exportPreflight, type ExportPreflight } from '../engine/preflight/index.ts';
import type { ModelPreflightJson } from '../db/types/index.ts';
import { targetPreflight } from '../targets/index.ts';

/** The engine's export pre-flight judged against every hardware target (services/targets). */
export function modelPreflight(report: ExportPreflight, notes: string[]): ModelPreflightJson {
  return {
    parameterCount: report.parameterCount,
    macs: report.macs,
    peakActivationBytes: report.exports.find((e) => e.mode === 'float32')?.peakActivationBytes ?? null,
    blockers: report.blockers,
    notes,
    targets: targetPreflight(report),
  };
}

export async function describeModel(filename: string, bytes: Uint8Array, maxInflatedBytes: number): Promise<ModelMetadata> {
  const imported = await importModel({ filename, bytes }, { maxBytes: maxInflatedBytes });
  let report: ExportPreflight | undefined;
  try {
    // Pre-flight (issue #14 item 2): per target, can a candidate be exported, and what blocks it.
    if (imported.model) report = await exportPreflight(imported.model);
  } finally {
    imported.model?.dispose();
    imported.graph?.dispose();
  }
  return {
    format: imported.format,
    signature: {
      inputs: imported.signature.inputs.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype })),
      outputs: imported.signature.outputs.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype })),
    },
    parameterCount: imported.parameterCount,
    layerTypes: imported.layerTypes,
    ...(report ? { preflight: modelPreflight(report, imported.notes ?? []) } : {}),
  };
}

export async function describeDataset(filename: string, bytes: Uint8Array, options: DatasetOpenOptions, maxInflatedBytes: number): Promise<DatasetMetadata> {
  const dataset = await openDataset({ bytes, filename }, { ...options, maxUncompressedBytes: maxInflatedBytes });
  const info = dataset.info;
  return {
    format: info.format, kind: info.kind, inputShape: info.inputShape, numClasses: info.numClasses, labels: info.labels,
    splits: { ...info.splits }, sampleCount: info.sampleCount,
  };
}
