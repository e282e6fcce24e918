// The worker's side of the message channel to the host.
import { parentPort } from 'node:worker_threads';
import type { HostMessage, WorkerMessage } from '../protocol.ts';

if (!parentPort) throw new Error('services/plugins/worker must run in a worker thread');
const port = parentPort;

export function send(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const listeners = new Set<(message: HostMessage) => void>();
port.on('message', (message: HostMessage) => {
  for (const listener of listeners) listener(message);
});

export function onHostMessage(listener: (message: HostMessage) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
