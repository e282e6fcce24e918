// Messages between the host and a sandboxed plugin process over its IPC channel (V8
// serialisation: ArrayBuffers and typed arrays cross as bytes). Every job gets a fresh process;
// its first message from the host is { type: 'start', job }.
import type { Batch, BatchOptions, DatasetInfo, ExportHints, PluginManifest, PluginSplit, ProgressUpdate, TargetInfo } from '@condense/plugin-sdk';
import type { TfliteMetadata } from '../engine/export/index.ts';
import type { SerializedModel } from './model-transfer.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A job that only reads a plugin's manifest. */
export interface DescribeJob {
  job: 'describe';
  url: string;
}

/** A job that runs a plugin's `compress` hook. */
export interface InvokeJob {
  job: 'invoke';
  url: string;
  plugin: string;
  config: Record<string, unknown>;
  model: SerializedModel;
  teacher?: SerializedModel;
  dataInfo?: DatasetInfo;
  targets: TargetInfo[];
  backend: string;
  scratchDir: string;
  /** The TFLite metadata ctx.export.evaluate writes into the files it measures (InvokeRequest.exportMetadata). */
  exportMetadata?: TfliteMetadata;
}

export type WorkerJob = DescribeJob | InvokeJob;

export interface WireCandidate {
  name: string;
  model: SerializedModel;
  notes?: string;
  exportHints?: ExportHints;
  metrics?: Record<string, number>;
}

export type WorkerMessage =
  | { type: 'described'; manifest: PluginManifest; hooks: { compress: boolean; registerLayers: boolean } }
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | { type: 'batches-open'; iterator: number; split: PluginSplit; batchSize: number; options?: BatchOptions }
  | { type: 'batches-next'; iterator: number }
  | { type: 'batches-close'; iterator: number }
  | { type: 'result'; candidates: WireCandidate[]; invalid: Array<{ candidate?: string; message: string }> }
  | { type: 'failed'; reason: 'threw' | 'invalid-output' | 'out-of-memory'; message: string };

export type HostMessage =
  | { type: 'batch'; iterator: number; batch?: Batch; done?: boolean; error?: string }
  | { type: 'abort'; reason: string }
  | { type: 'start'; job: WorkerJob };
