// Issue #10's guard through a whole run (embedded runner, real activities, real plugin host,
// TFLite export and runtime): a technique whose int8 file is broken — its TFLite converter writes
// a corrupted scale, so the file misclassifies one class while the float model it came from does not —
// next to an honest int8 candidate. The broken one is flagged (export-accuracy-loss), kept off
// the Pareto front, and its reason reaches the API's Candidate and the CLI's candidate table.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Candidate } from '../../services/api/types/run.ts';
import { tf } from '../../services/engine/backend/index.ts';
import { registerLayerConverter } from '../../services/engine/export/index.ts';
import { formatCandidateTable } from '../../services/cli/table.ts';
import { EXPORT_ACCURACY_LOSS_RULE } from '../../services/planner/select.ts';
import type { RunServices } from '../../services/runs/run-services.ts';
import { openTestRunServices, runFailure, runToEnd, type TestRunServices } from '../helpers/local-run.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';
import { brokenChannelScaleConverter, CHANNEL_SCALE, defineChannelScale } from '../fixtures/builtin-root/plugins/broken-scale/layer.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
// The fixture is installed as a built-in beside the real ones, through a plugins root of links.
// Its candidate holds a layer of its own, which a real runner refuses (no plugin code runs there):
// this test installs the layer class and its faulty converter in its own runner process, standing
// in for an exporter defect — the thing the guard is for.
const FIXTURE = join(HERE, '..', 'fixtures', 'builtin-root', 'plugins', 'broken-scale');
const REPO_PLUGINS = join(HERE, '..', '..', 'plugins');
let stack: TestRunServices;
let services: RunServices;
let pluginsRoot: string;

before(async () => {
  tf.serialization.registerClass(defineChannelScale(tf) as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
  registerLayerConverter(CHANNEL_SCALE, brokenChannelScaleConverter as unknown as Parameters<typeof registerLayerConverter>[1]);
  pluginsRoot = mkdtempSync(join(tmpdir(), 'condense-broken-export-root-'));
  mkdirSync(join(pluginsRoot, 'plugins'));
  for (const name of readdirSync(REPO_PLUGINS)) symlinkSync(join(REPO_PLUGINS, name), join(pluginsRoot, 'plugins', name));
  symlinkSync(FIXTURE, join(pluginsRoot, 'plugins', 'broken-scale'));
  stack = await openTestRunServices('broken-export', { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 }, {
    plugins: { rootDir: pluginsRoot, list: '' },
  });
  ({ services } = stack);
});
after(async () => {
  await stack.close();
  rmSync(pluginsRoot, { recursive: true, force: true });
});

async function run(techniques: Array<{ plugin: string; config: Record<string, unknown> }>) {
  const finished = await runToEnd(services, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-int8'],
    techniques,
    constraints: {},
  });
  assert.equal(finished.result.status, 'succeeded', runFailure(finished));
  return finished.candidates;
}

test('a broken int8 file (corrupted scale) is flagged, off the front, with its reason in the API and the CLI table', async () => {
  const honest = await run([{ plugin: 'quantization', config: { modes: ['int8'], evaluationSamples: 200, calibrationSamples: 64 } }]);
  const broken = await run([{ plugin: 'fixture-broken-scale', config: {} }]);
  const [good] = honest;
  const [bad] = broken;
  assert.equal(good.status, 'succeeded', good.failure_message ?? '');
  assert.equal(bad.status, 'succeeded', bad.failure_message ?? '');
  assert.equal(bad.quantization, 'int8');

  // The honest int8 file scores like its float source and is on its run's front.
  assert.ok(good.source_accuracy! - good.accuracy! <= 0.03, `honest int8 ${good.accuracy} vs float ${good.source_accuracy}`);
  assert.equal(good.pareto, true);
  assert.ok(!good.fit_failures.some((f) => f.rule === EXPORT_ACCURACY_LOSS_RULE));

  // The broken file: its float model is as good as the honest one's, the file loses a class.
  assert.ok(bad.source_accuracy! > 0.9, `float source ${bad.source_accuracy}`);
  assert.ok(bad.source_accuracy! - bad.accuracy! > 0.05, `broken file ${bad.accuracy} vs float ${bad.source_accuracy}`);
  assert.ok(bad.accuracy! > 0.4, 'better than guessing: only the export guard can catch it');
  assert.equal(bad.fits, false);
  assert.equal(bad.pareto, false, 'a broken export is never on the front, even alone');
  const reason = bad.fit_failures.find((f) => f.rule === EXPORT_ACCURACY_LOSS_RULE);
  assert.ok(reason, `fit failures: ${JSON.stringify(bad.fit_failures)}`);
  assert.match(reason.message, /the file is broken/);

  // The API's Candidate carries the flag and the reason.
  const api = Candidate.from(bad);
  assert.equal(api.pareto, false);
  assert.equal(api.targetFit.fits, false);
  assert.ok(api.targetFit.failures.some((f) => f.rule === EXPORT_ACCURACY_LOSS_RULE && /broken/.test(f.message)));
  assert.equal(api.metrics.sourceAccuracy, bad.source_accuracy);

  // The CLI's table marks it BROKEN and explains the word.
  const table = formatCandidateTable([bad, good].map((c) => ({
    key: c.key, target: c.target, status: c.status, quantization: c.quantization, accuracy: c.accuracy, sourceAccuracy: c.source_accuracy,
    bytes: c.bytes == null ? null : Number(c.bytes), downloadBytes: c.download_bytes == null ? null : Number(c.download_bytes),
    compressionRatio: c.compression_ratio, estimatedLatencyMs: c.estimated_latency_ms, hostLatencyMs: c.host_latency_ms,
    fits: c.fits, fitFailures: c.fit_failures, pareto: c.pareto, failure: c.failure_message, file: null,
  })));
  const badLine = table.split('\n').find((l) => l.includes(bad.key))!;
  assert.match(badLine, /BROKEN/);
  assert.doesNotMatch(table.split('\n').find((l) => l.includes(good.key))!, /BROKEN/);
  assert.match(table, new RegExp(`BROKEN = .*${EXPORT_ACCURACY_LOSS_RULE}`));
});
