// Records the URL of every ES module this process loads from now on (import and import(),
// including the ones tsx compiles), through module hooks: a test can then check that some code
// was never loaded into this process.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

export interface ModuleLog {
  /** URLs loaded so far (call settle() first: the hooks report asynchronously). */
  urls: Set<string>;
  settle(): Promise<void>;
}

export function startModuleLog(): ModuleLog {
  const { port1, port2 } = new MessageChannel();
  const urls = new Set<string>();
  port1.on('message', (url: string) => urls.add(url));
  port1.unref();
  register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
  return { urls, settle: () => new Promise((resolve) => setTimeout(resolve, 200)) };
}
