// The plugin host against real plugins: a good one and one broken in each way a plugin can be.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SDK_VERSION, type ProgressUpdate } from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';
import {
  createPluginHost, deserializeModel, PluginConfigError, UnknownPluginError, type LogEntry, type PluginHost,
} from '../../services/plugins/index.ts';
import { UnknownTargetError } from '../../services/targets/index.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins');
const fixture = (name: string): string => path.join(FIXTURES, name);

let host: PluginHost;
let model: tf.LayersModel;
const n = 96;
const x = new Float32Array(n * 4).map((_, i) => Math.sin(i));
const y = new Int32Array(n).map((_, i) => i % 3);
const data = datasetFromArrays(x, y, [4]);

before(async () => {
  await initEngine('cpu');
  model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  host = await createPluginHost({
    builtins: false,
    backend: 'wasm',
    pluginList: [
      'good', 'throws.ts', 'hangs.ts', 'allocates.ts', 'garbage.ts', 'exits.ts', 'bad-manifest.ts', 'unknown-target.ts',
      'sdk-future.ts', 'bad-config-schema.ts', 'no-default-export.ts', 'import-throws.ts', 'does-not-exist.ts', 'good/index.ts',
    ].map(fixture).join(','),
  });
});

after(async () => {
  model?.dispose();
  await host?.close();
});

describe('loading plugins', () => {
  it('installs the valid plugins', () => {
    assert.deepEqual(host.list().map((p) => p.manifest.name), [
      'fixture-allocates', 'fixture-exits', 'fixture-garbage', 'fixture-good', 'fixture-hangs', 'fixture-throws',
    ]);
    const good = host.get('fixture-good');
    assert.equal(good.manifest.version, '1.2.3');
    assert.equal(good.origin, 'env');
    assert.deepEqual(good.manifest.hardwareTargets, ['cpu-fp32', 'mcu-int8']);
  });

  it('refuses each broken plugin with a message naming the plugin and the field', () => {
    const messages = host.errors.map((e) => e.message);
    const expect = (pattern: RegExp): void => assert.ok(messages.some((m) => pattern.test(m)), `no error matches ${pattern}:\n${messages.join('\n')}`);
    expect(/^plugin "fixture-bad-manifest": manifest\.kind must be one of "pruning", "quantization"/);
    expect(/^plugin "fixture-unknown-target": manifest\.hardwareTargets\[1\] "quantum-int1" is not a known hardware target$/);
    const sdkVersion = SDK_VERSION.replaceAll('.', '\\.');
    expect(new RegExp(`^plugin "fixture-sdk-future": manifest\\.sdk requires "\\^2\\.0\\.0" but this host provides plugin SDK ${sdkVersion}$`));
    expect(/^plugin "fixture-bad-config-schema": manifest\.configSchema defaults are invalid: config\.sparsity must be <= 0\.99$/);
    expect(/no-default-export\.ts": module must default-export an object \{ manifest, hooks \}$/);
    expect(/import-throws\.ts": module failed to load: cannot initialise: missing native library$/);
    expect(/does-not-exist\.ts": path .*does-not-exist\.ts does not exist$/);
    expect(/^plugin "fixture-good": manifest\.name is already used by the plugin from .*good$/);
    assert.equal(host.errors.length, 8);
    for (const m of messages) assert.doesNotMatch(m, /\n|\bat .*:\d+:\d+/, 'one line, no stack');
  });

  it('unknown plugin names say which are installed', () => {
    assert.throws(() => host.get('nope'), (e: unknown) => e instanceof UnknownPluginError && /unknown plugin "nope" \(installed: fixture-allocates, /.test(e.message));
  });
});

describe('configs', () => {
  it('fills defaults', () => {
    assert.deepEqual(host.validateConfig('fixture-good', {}), { sparsity: 0.5, epochs: 1, note: 'pruned' });
    assert.deepEqual(host.validateConfig('fixture-good', { sparsity: 0.9 }), { sparsity: 0.9, epochs: 1, note: 'pruned' });
  });

  it('names the plugin and the offending field', () => {
    assert.throws(() => host.validateConfig('fixture-good', { sparsity: 1.5 }), (e: unknown) => e instanceof PluginConfigError && e.message === 'plugin "fixture-good": config.sparsity must be <= 0.99');
    const message = (config: unknown): string => {
      try {
        host.validateConfig('fixture-good', config);
      } catch (err) {
        assert.ok(err instanceof PluginConfigError);
        return err.message;
      }
      return 'accepted';
    };
    assert.equal(message({ epochs: 'two' }), 'plugin "fixture-good": config.epochs must be integer');
    assert.equal(message({ sparsty: 0.5 }), 'plugin "fixture-good": config.sparsty is not an allowed option');
    assert.equal(message([1]), 'plugin "fixture-good": config must be an object');
    assert.equal(message({ sparsity: -1, epochs: 9 }), 'plugin "fixture-good": config.sparsity must be >= 0; config.epochs must be <= 5');
  });

  it('invoke refuses a bad config, an unknown target or plugin before starting a worker', async () => {
    await assert.rejects(host.invoke('fixture-good', { model, data, config: { sparsity: 2 } }), /config\.sparsity must be <= 0\.99/);
    await assert.rejects(host.invoke('fixture-good', { model, data, targets: ['tpu-v9'] }), UnknownTargetError);
    await assert.rejects(host.invoke('fixture-missing', { model, data }), UnknownPluginError);
  });
});

describe('invoking broken plugins fails only their candidates', () => {
  it('a plugin that throws', async () => {
    const progress: ProgressUpdate[] = [];
    const r = await host.invoke('fixture-throws', { model, data, onProgress: (p) => progress.push(p) });
    assert.deepEqual(r.candidates, []);
    assert.deepEqual(r.failures, [{ plugin: 'fixture-throws', reason: 'threw', message: 'sparsity schedule diverged' }]);
    assert.deepEqual(progress, [{ step: 0, message: 'about to fail' }]);
  });

  it('a plugin that spins forever is terminated at its time limit', async () => {
    const started = performance.now();
    const r = await host.invoke('fixture-hangs', { model, data, timeoutMs: 5000 });
    assert.deepEqual(r.failures, [{ plugin: 'fixture-hangs', reason: 'timeout', message: 'did not finish within 5 s' }]);
    assert.ok(performance.now() - started < 9000);
  });

  it('a plugin that ignores cancellation is stopped', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2000);
    const started = performance.now();
    const r = await host.invoke('fixture-hangs', { model, data, config: { mode: 'await' }, signal: controller.signal, timeoutMs: 60_000 });
    assert.deepEqual(r.failures.map((f) => f.reason), ['cancelled']);
    assert.ok(performance.now() - started < 10_000);
  });

  it('a plugin that fills its JavaScript heap is stopped by the heap cap', async () => {
    const r = await host.invoke('fixture-allocates', { model, data, config: { mode: 'heap' }, memoryLimitMb: 4096, heapLimitMb: 96, timeoutMs: 60_000 });
    assert.deepEqual(r.failures, [{ plugin: 'fixture-allocates', reason: 'out-of-memory', message: 'exhausted its 96 MB JavaScript heap' }]);
  });

  // (JS heap growth is covered above; RSS growth from a heap is caught the same way as these.)
  for (const [mode, limit] of [['arraybuffer', 300], ['tensors', 400]] as const) {
    it(`a plugin that allocates ${mode} without bound runs out of memory`, async () => {
      const before = process.memoryUsage.rss();
      const r = await host.invoke('fixture-allocates', { model, data, config: { mode }, memoryLimitMb: limit, timeoutMs: 60_000 });
      assert.equal(r.failures.length, 1);
      assert.equal(r.failures[0].reason, 'out-of-memory', r.failures[0].message);
      assert.match(r.failures[0].message, new RegExp(`${limit} MB`));
      // The memory went away with the worker.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(process.memoryUsage.rss() - before < limit * 1024 * 1024, 'memory is released');
    });
  }

  it('a plugin that returns garbage', async () => {
    const r = await host.invoke('fixture-garbage', { model, data });
    assert.deepEqual(r.candidates, []);
    assert.equal(r.failures.length, 1);
    assert.equal(r.failures[0].reason, 'invalid-output');
    assert.match(r.failures[0].message, /candidate\[0\] must be an object \{ name, model \}, got number 42/);
  });

  it('a plugin whose output is partly valid keeps the valid candidates', async () => {
    const r = await host.invoke('fixture-garbage', { model, data, config: { mode: 'mixed' } });
    assert.deepEqual(r.candidates.map((c) => c.name), ['fine']);
    assert.deepEqual(r.failures.map((f) => [f.reason, f.candidate]), [
      ['invalid-output', 'not-a-model'], ['invalid-output', 'bad-hint'], ['invalid-output', 'fine'], ['invalid-output', undefined],
    ]);
    assert.match(r.failures[0].message, /candidate\[1\]\.model must be a tfjs LayersModel, got an object of class Object/);
    assert.match(r.failures[1].message, /exportHints\.quantization must be one of float32, float16, dynamic-int8, int8, got "int4"/);
    assert.match(r.failures[2].message, /"fine" is used twice/);
  });

  it('a plugin that returns no candidates', async () => {
    const r = await host.invoke('fixture-garbage', { model, data, config: { mode: 'empty' } });
    assert.deepEqual(r.failures.map((f) => f.reason), ['invalid-output']);
  });

  it('a plugin that exits its thread', async () => {
    const r = await host.invoke('fixture-exits', { model, data });
    assert.deepEqual(r.failures, [{ plugin: 'fixture-exits', reason: 'threw', message: 'worker exited with code 3 before finishing' }]);
  });
});

describe('invoking a good plugin (after all the failures: the host is still up)', () => {
  it('trains with the host loop, streams progress and logs, and returns serialised candidates', async () => {
    const progress: ProgressUpdate[] = [];
    const logs: LogEntry[] = [];
    const original = model.getWeights().map((w) => w.arraySync());
    process.env.CONDENSE_TEST_SECRET = 'must-not-leak';
    const r = await host.invoke('fixture-good', {
      model, data, config: { sparsity: 0.75 }, targets: ['cpu-fp32', 'mcu-int8'],
      onProgress: (p) => progress.push(p), onLog: (l) => logs.push(l),
    });
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.config, { sparsity: 0.75, epochs: 1, note: 'pruned' });
    assert.deepEqual(r.candidates.map((c) => [c.plugin, c.pluginVersion, c.name]), [['fixture-good', '1.2.3', 'trained'], ['fixture-good', '1.2.3', 'pruned']]);

    const [trained, pruned] = r.candidates;
    assert.deepEqual(pruned.exportHints, { quantization: 'int8' });
    assert.equal(pruned.notes, 'pruned');
    assert.deepEqual(pruned.metrics, { sparsity: 0.75 });
    // The plugin read the train split only (test samples never reach it).
    assert.equal(trained.metrics?.samplesSeen, data.info.splits.train);

    // Logs: the structured logger and the plugin's console output; the worker saw wasm and the targets.
    const start = logs.find((l) => l.message === 'starting');
    assert.deepEqual(start?.fields, { sparsity: 0.75, backend: 'wasm', targets: ['cpu-fp32', 'mcu-int8'] });
    assert.ok(logs.some((l) => l.message === 'plain console output from the plugin' && l.fields?.stream === 'stdout'));
    delete process.env.CONDENSE_TEST_SECRET;
    const envNames = logs.find((l) => l.message === 'environment')?.fields?.names as string[];
    assert.deepEqual(envNames, [], 'plugin processes start with an empty environment');
    assert.equal(logs.find((l) => l.message === 'network')?.fields?.result, 'plugins have no network access');
    assert.ok(r.peakMemoryBytes > 0);
    const scratch = logs.find((l) => l.message === 'scratch')?.fields?.dir as string;
    assert.ok(scratch && !existsSync(scratch), 'scratch directory is removed afterwards');

    // Progress: the plugin's own reports and the training loop's, tagged with the candidate.
    assert.deepEqual(progress[0], { step: 1, total: 3, message: `read ${data.info.splits.train} training samples` });
    const training = progress.filter((p) => p.candidate === 'trained');
    assert.ok(training.length >= 2);
    assert.ok(training.every((p) => p.epochs === 1 && typeof p.loss === 'number' && typeof p.samplesPerSecond === 'number'));
    assert.equal(progress.at(-1)?.candidate, 'pruned');

    // The candidates come back as real models: the trained one changed, the pruned one is 75% sparse.
    const trainedModel = await deserializeModel(trained.model);
    const prunedModel = await deserializeModel(pruned.model);
    try {
      assert.notDeepEqual(trainedModel.getWeights()[0].arraySync(), original[0]);
      const kernel = prunedModel.getWeights()[0].dataSync();
      const zeros = kernel.filter((v) => v === 0).length / kernel.length;
      assert.ok(Math.abs(zeros - 0.75) < 0.05, `sparsity ${zeros}`);
      const out = prunedModel.predict(tf.ones([2, 4])) as tf.Tensor;
      assert.deepEqual(out.shape, [2, 3]);
      out.dispose();
    } finally {
      trainedModel.dispose();
      prunedModel.dispose();
    }
    // The caller's model is untouched: the plugin worked on its own copy.
    assert.deepEqual(model.getWeights().map((w) => w.arraySync()), original);
  });
});
