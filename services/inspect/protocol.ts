// What the API process and an inspection child say to each other over the IPC channel. The
// upload's bytes follow on the child's stdin (exactly `size` bytes), never through IPC.
import type { DatasetMetadata, DatasetOpenOptions, ModelMetadata } from '../api/dependencies.ts';

export type InspectionRequest =
  | { kind: 'model'; filename: string; size: number; maxInflatedBytes: number }
  | { kind: 'dataset'; filename: string; size: number; maxInflatedBytes: number; options: DatasetOpenOptions };

export type InspectionReply =
  | { ok: true; kind: 'model'; metadata: ModelMetadata }
  | { ok: true; kind: 'dataset'; metadata: DatasetMetadata }
  | { ok: false; message: string };
