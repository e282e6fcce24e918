// Entry point of an inspection child process (started by services/inspect/isolated.ts with an
// empty environment, a heap cap and Node's permission model). Reads one request from IPC and
// the upload's bytes from stdin, answers with the metadata or a one-line error, and exits.
import type { InspectionReply, InspectionRequest } from './protocol.ts';

async function readExactly(size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    if (filled + chunk.length > size) throw new Error(`received more than the ${size} bytes announced`);
    bytes.set(chunk, filled);
    filled += chunk.length;
  }
  if (filled !== size) throw new Error(`received ${filled} of the ${size} bytes announced`);
  return bytes;
}

const oneLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 500);

async function answer(request: InspectionRequest): Promise<InspectionReply> {
  try {
    const bytes = await readExactly(request.size);
    // Loaded after the bytes arrive so the parent's time limit covers the engine's start too.
    const { describeDataset, describeModel } = await import('./describe.ts');
    if (request.kind === 'model') return { ok: true, kind: 'model', metadata: await describeModel(request.filename, bytes, request.maxInflatedBytes) };
    return { ok: true, kind: 'dataset', metadata: await describeDataset(request.filename, bytes, request.options, request.maxInflatedBytes) };
  } catch (error) {
    return { ok: false, message: oneLine(error) };
  }
}

process.once('message', (request: InspectionRequest) => {
  void answer(request).then((reply) => process.send!(reply, undefined, {}, () => process.exit(0)));
});
