// Child process for the replay tests: bundles a workflows module once and replays histories with
// the real SDK. Runs in its own process because a malformed history can make Temporal's core
// panic and ignore SIGTERM (STACK.md); the parent kills it with SIGKILL on a timeout.
//   argv: <workflowsPath> <history.json>[=<workflowType>] ...
// Prints one JSON line: [{ history, workflowType, ok, error? }].
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';

const [workflowsPath, ...specs] = process.argv.slice(2);
if (!workflowsPath || specs.length === 0) {
  console.error('usage: replay-child <workflowsPath> <history.json>[=<workflowType>] ...');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('ERROR') });
// Webpack's warnings go to the logger; errors still surface as a thrown Error.
const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) } as never;
const { code } = await bundleWorkflowCode({ workflowsPath: resolve(workflowsPath), logger: quietLogger });
const results: { history: string; workflowType: string; ok: boolean; error?: string }[] = [];
for (const spec of specs) {
  const [file, typeOverride] = spec.split('=') as [string, string | undefined];
  const json = JSON.parse(readFileSync(file, 'utf8')) as { events: Record<string, any>[] };
  const started = json.events[0]!.workflowExecutionStartedEventAttributes;
  if (typeOverride) started.workflowType.name = typeOverride;
  const workflowType = started.workflowType.name as string;
  try {
    await Worker.runReplayHistory({ workflowBundle: { code } }, historyFromJSON(json), `replay-${results.length}`);
    results.push({ history: file, workflowType, ok: true });
  } catch (err) {
    results.push({ history: file, workflowType, ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
  }
}
console.log(JSON.stringify(results));
process.exit(0);
