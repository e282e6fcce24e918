// A three-target run through the real activities (planner, plugin host, step store): every step
// that candidates share runs once — one joint distillation call yields all three students, one
// pruning call serves every target — counted at the plugin invoker. A second pass over the same
// plan (a resumed or retried run) makes no plugin call at all.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createActivities, pluginInvoker, type ActivityImplementations, type PluginInvoker } from '../../services/activities/index.ts';
import type { ActivityContext } from '../../services/activities/context.ts';
import { loadConfig } from '../../services/config.ts';
import { planForRun } from '../../services/planner/index.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { stepGraph } from '../../workflows/step-graph.ts';
import type { CompressedModel, Plan, PlannedCandidate } from '../../workflows/types.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

const TARGETS = ['cpu-int8', 'mcu-int8', 'edgetpu-int8'];

let services: RunServices;
let dataDir: string;
let activities: ActivityImplementations;
let ref: { orgId: string; runId: string };
const calls: string[] = [];

const ctx = (): ActivityContext => ({ signal: new AbortController().signal, heartbeat: () => undefined, heartbeatDetails: undefined, attempt: 1 });

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-shared-steps-'));
  services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), { database: await createTestDatabase() });
  ref = await createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: TARGETS,
  });
  const real = await pluginInvoker(services.pluginHost);
  const observed: PluginInvoker = {
    list: () => real.list(),
    invoke: (request) => {
      calls.push(request.plugin);
      return real.invoke(request);
    },
  };
  activities = createActivities({
    db: services.database.db, blobs: services.blobs, plugins: observed, planner: planForRun, scratchDir: dataDir,
    sizes: { maxPluginSamples: 160, latencyRuns: 0 },
  });
});
after(async () => {
  await services.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Distinct plugin calls a plan needs: a step is identified by the steps (and picks) before it
 * and its own plugin and config. */
function distinctSteps(plan: Plan): number {
  const keys = new Set<string>();
  for (const c of plan.candidates) {
    c.chain.forEach((step, i) => keys.add(JSON.stringify([c.chain.slice(0, i), step.plugin, step.config])));
  }
  return keys.size;
}

async function compressAll(candidates: PlannedCandidate[]): Promise<Map<string, CompressedModel>> {
  const out = new Map<string, CompressedModel>();
  for (const candidate of candidates) out.set(candidate.key, await activities.compressCandidate(ctx(), { ...ref, candidate }));
  return out;
}

test('shared steps of a three-target run are trained once; a second pass trains nothing', async () => {
  await activities.validateInputs(ctx(), ref);
  const baseline = await activities.evaluateBaseline(ctx(), ref);
  const plan = await activities.planCandidates(ctx(), { ...ref, baseline });
  const distills = plan.candidates.filter((c) => c.chain[0]?.plugin === 'distillation');
  const pruned = plan.candidates.filter((c) => c.chain[0]?.plugin === 'pruning');
  assert.equal(distills.length >= 3 * TARGETS.length, true, `distillation chains: ${distills.map((c) => c.key).join(', ')}`);
  assert.ok(pruned.length >= TARGETS.length, `pruning chains: ${pruned.map((c) => c.key).join(', ')}`);
  const steps = plan.candidates.reduce((n, c) => n + c.chain.length, 0);

  const compressed = await compressAll(plan.candidates);
  const count = (plugin: string) => calls.filter((p) => p === plugin).length;
  const graph = stepGraph(plan);
  const distinct = (plugin: string, root?: boolean) => graph.steps.filter((s) => s.plugin === plugin && (root === undefined || (s.parent === null) === root)).length;
  assert.equal(distinct('distillation', true), 1, 'every target\'s students come from one joint distillation step on the uploaded model');
  assert.equal(count('distillation'), distinct('distillation'), 'one call per distinct distillation step (the joint one, and one per pruned model distilled)');
  assert.equal(count('pruning'), distinct('pruning'), 'one pruning call per distinct pruning step, shared by the targets');
  assert.equal(calls.length, distinctSteps(plan), `calls ${calls.join(', ')}`);
  assert.ok(calls.length < steps / 2, `${calls.length} calls for ${steps} planned steps`);

  // Each distillation chain continues with its own student: three different models per target.
  const students = (target: string) => new Set(distills.filter((c) => c.target === target).map((c) => compressed.get(c.key)!.notes[0]));
  for (const target of TARGETS) assert.equal(students(target).size, 3, `${target}: ${[...students(target)].join(' | ')}`);
  const large = distills.filter((c) => c.chain[0]!.pick === 'student-half-teacher-w0.6' && c.chain.length === 2).map((c) => compressed.get(c.key)!.modelSha256);
  assert.equal(new Set(large).size, 1, 'the targets share the quantized half-size student: one model');

  // Resumed/retried: every step is found under its content address.
  calls.length = 0;
  const again = await compressAll(plan.candidates);
  assert.deepEqual(calls, [], 'a second pass makes no plugin call');
  // (Chains with no step hand over the base model, re-zipped each time: compared by notes only.)
  for (const c of plan.candidates.filter((p) => p.chain.length > 0)) assert.equal(again.get(c.key)!.modelSha256, compressed.get(c.key)!.modelSha256, c.key);
});

test('a three-target run on the embedded runner calls each plugin once per distinct step, steps in parallel', async () => {
  const { EmbeddedRunner } = await import('../../services/runs/embedded-runner.ts');
  const run = await createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    // Other data than the first test's: its steps must not be found finished.
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz(360) },
    targets: TARGETS,
  });
  calls.length = 0;
  const runner = new EmbeddedRunner({ db: services.database.db, activities, pollMs: 50, workers: 2 });
  runner.run();
  try {
    await runner.start(run.orgId, run.runId);
    const result = await runner.waitFor(run.runId, 20 * 60_000);
    assert.equal(result.status, 'succeeded', result.message);
    const journal = await runner.journal.entries(run.runId);
    const plan = journal.find((e) => e.name === 'planCandidates')!.result as Plan;
    const graph = stepGraph(plan);
    const steps = journal.filter((e) => e.name === 'runStep');
    assert.equal(steps.length, graph.steps.length, 'one runStep per distinct step');
    assert.equal(calls.length, graph.steps.length, `plugin calls ${calls.join(', ')}`);
    const joint = graph.steps.filter((s) => s.plugin === 'distillation' && s.parent === null);
    assert.equal(joint.length, 1, 'one joint distillation step on the uploaded model');
    assert.equal(calls.filter((p) => p === 'distillation').length, graph.steps.filter((s) => s.plugin === 'distillation').length);
    const jointResult = steps.find((e) => e.callId === `runStep:${joint[0]!.id}`)!.result as { outputs: unknown[] };
    assert.ok(jointResult.outputs.length >= 3, 'the joint step returned every student');
    assert.deepEqual(new Set(plan.candidates.filter((c) => joint[0]!.candidates.includes(c.key)).map((c) => c.target)), new Set(TARGETS), 'its students serve every target');
    const candidates = plan.candidates.reduce((n, c) => n + c.chain.length, 0);
    assert.ok(calls.length < candidates / 2, `${calls.length} calls for ${candidates} planned chain steps`);
    assert.equal(result.candidates.length, plan.candidates.length);
  } finally {
    await runner.stop();
  }
});
