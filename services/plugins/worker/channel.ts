// The plugin process's side of the IPC channel to the host. When the host goes away (channel
// closed), the process ends.
import type { HostMessage, WorkerMessage } from '../protocol.ts';

if (!process.send) throw new Error('services/plugins/worker must run as a child process with an IPC channel');
const sendRaw = process.send.bind(process);

export function send(message: WorkerMessage): void {
  sendRaw(message);
}

const listeners = new Set<(message: HostMessage) => void>();
process.on('message', (message: HostMessage) => {
  for (const listener of listeners) listener(message);
});
process.on('disconnect', () => process.exit(0));

export function onHostMessage(listener: (message: HostMessage) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
