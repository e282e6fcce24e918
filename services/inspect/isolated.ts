// Upload inspection outside the API process. Each inspection is one short-lived child process
// (services/inspect/child.ts, bundled by services/isolation/bundle.ts): an empty environment
// (no secrets, no DATABASE_URL), Node's permission model allowing reads of node_modules only
// (not the data dir) and no writes, child processes or workers, a V8 heap cap, a resident-memory cap enforced from here by sampling
// /proc/<pid>/status, and a wall-clock limit. Whatever the bytes do to the child — a bomb, an
// endless parse, a crash — the API's event loop only waits on a pipe, and the caller gets an
// InspectionError with one line saying which limit was hit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DatasetMetadata, DatasetOpenOptions, ModelMetadata, UploadedFile } from '../api/dependencies.ts';
import { bundledEntry, NODE_MODULES } from '../isolation/bundle.ts';
import { watchResidentMemory } from '../isolation/memory-watch.ts';
import type { InspectionReply, InspectionRequest } from './protocol.ts';

export interface InspectionLimits {
  /** Resident memory of the child, MiB (also its V8 heap cap). */
  memoryMb: number;
  /** Wall-clock limit per inspection, ms. */
  timeoutMs: number;
  /** Most bytes an upload may expand to (archives, gzip). */
  maxInflatedBytes: number;
}

export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = { memoryMb: 2048, timeoutMs: 120_000, maxInflatedBytes: 1024 ** 3 };

/** An upload that could not be inspected; `message` is one line for the user. */
export class InspectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InspectionError';
  }
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const SAMPLE_MS = 25;
const CHILD_NICENESS = 15;

/** Node flags of the child: heap cap and the permission model (read node_modules, nothing else). */
function childFlags(limits: InspectionLimits): string[] {
  return [`--max-old-space-size=${limits.memoryMb}`, '--experimental-permission', `--allow-fs-read=${NODE_MODULES}/`, '--no-warnings'];
}

async function runChild(request: InspectionRequest, file: UploadedFile, limits: InspectionLimits): Promise<InspectionReply> {
  const child = spawn(process.execPath, [...childFlags(limits), await bundledEntry(CHILD)], {
    cwd: NODE_MODULES,
    env: {},
    stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
  });
  // Background work: the API's own requests win the CPU when both want it.
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, CHILD_NICENESS);
    } catch {
      // Not permitted here: it still runs, only at normal priority.
    }
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  let stopped: string | undefined;
  const stop = (why: string) => {
    if (stopped) return;
    stopped = why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => stop(`inspection took longer than ${Math.round(limits.timeoutMs / 1000)} s`), limits.timeoutMs);
  const stopWatching = watchResidentMemory(() => child.pid, SAMPLE_MS, (rss) => {
    if (rss > limits.memoryMb * 1024 * 1024) stop(`inspection needed more than ${limits.memoryMb} MiB of memory`);
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let reply: InspectionReply | undefined;
  child.on('message', (message) => {
    reply = message as InspectionReply;
  });
  try {
    child.send(request);
    // Stream the bytes; a child that died early makes the pipe fail, which the exit explains.
    child.stdin!.on('error', () => undefined);
    try {
      for await (const chunk of await file.open()) {
        if (stopped || child.exitCode !== null) break;
        // A dead child fails the pipe ('error' instead of 'drain'): its exit, below, says why.
        if (!child.stdin!.write(chunk)) await Promise.race([once(child.stdin!, 'drain').catch(() => undefined), exited]);
      }
    } finally {
      child.stdin!.end();
    }
    const [code, signal] = await exited;
    if (stopped) throw new InspectionError(stopped);
    if (reply) return reply;
    if (/heap out of memory|Allocation failed/i.test(stderr)) throw new InspectionError(`inspection needed more than ${limits.memoryMb} MiB of memory`);
    throw new InspectionError(`inspection failed (the inspecting process ended with ${signal ?? `code ${code}`})`)
  } finally {
    clearTimeout(timer);
    stopWatching();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function inspect(request: InspectionRequest, file: UploadedFile, limits: InspectionLimits): Promise<InspectionReply & { ok: true }> {
  const reply = await runChild(request, file, limits);
  if (!reply.ok) throw new InspectionError(reply.message);
  return reply;
}

/** Validates and describes an uploaded model in a bounded child process. */
export async function inspectModelIsolated(file: UploadedFile, limits: InspectionLimits = DEFAULT_INSPECTION_LIMITS): Promise<ModelMetadata> {
  const reply = await inspect({ kind: 'model', filename: file.filename, size: file.size, maxInflatedBytes: limits.maxInflatedBytes }, file, limits);
  if (reply.kind !== 'model') throw new InspectionError('inspection answered with the wrong kind of metadata');
  return reply.metadata;
}

/** Validates and describes an uploaded dataset in a bounded child process. */
export async function inspectDatasetIsolated(file: UploadedFile, options: DatasetOpenOptions, limits: InspectionLimits = DEFAULT_INSPECTION_LIMITS): Promise<DatasetMetadata> {
  const reply = await inspect({ kind: 'dataset', filename: file.filename, size: file.size, maxInflatedBytes: limits.maxInflatedBytes, options }, file, limits);
  if (reply.kind !== 'dataset') throw new InspectionError('inspection answered with the wrong kind of metadata');
  return reply.metadata;
}
