// Manifest and config validation, discovery of plugins, and the model transfer format.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { definePlugin, EXPORT_QUANTIZATIONS, PLUGIN_KINDS, SDK_VERSION, type PluginManifest } from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import {
  createPluginHost, deserializeModel, findBuiltinPlugins, PluginLoadError, pluginSupportsTarget, resolvePluginList, serializeModel, validateManifest,
  validatePluginConfig,
} from '../../services/plugins/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

const manifest = (overrides: Record<string, unknown> = {}): PluginManifest => ({
  name: 'demo', version: '1.0.0', sdk: '^1.0.0', kind: 'pruning', summary: 'Demo plugin.', hardwareTargets: ['cpu-fp32'],
  configSchema: { type: 'object', properties: { sparsity: { type: 'number', maximum: 0.99, default: 0.5, description: 'Target sparsity.' } } },
  ...overrides,
} as PluginManifest);

const loadError = (raw: unknown, hostVersion?: string): string => {
  try {
    validateManifest(raw, 'demo-source', hostVersion);
  } catch (err) {
    assert.ok(err instanceof PluginLoadError, String(err));
    return err.message;
  }
  return 'accepted';
};

describe('plugin SDK package', () => {
  it('SDK_VERSION is the package version and semver', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'plugins/sdk/package.json'), 'utf8')) as { version: string; name: string; peerDependencies: Record<string, string> };
    assert.equal(pkg.name, '@condense/plugin-sdk');
    assert.equal(SDK_VERSION, pkg.version);
    assert.match(pkg.peerDependencies['@tensorflow/tfjs'], /^4\.22/);
  });

  it('exports the kinds, quantizations and an identity definePlugin', () => {
    assert.deepEqual([...PLUGIN_KINDS], ['pruning', 'quantization', 'distillation', 'projection', 'clustering', 'other']);
    assert.deepEqual([...EXPORT_QUANTIZATIONS], ['float32', 'float16', 'dynamic-int8', 'int8']);
    const plugin = { manifest: manifest(), hooks: { compress: () => [] } };
    assert.equal(definePlugin(plugin), plugin);
  });
});

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    assert.equal(validateManifest(manifest(), 'x').name, 'demo');
    assert.equal(validateManifest(manifest({ hardwareTargets: ['*'], requiresTeacher: true, customLayers: ['Lsh'] }), 'x').requiresTeacher, true);
  });

  it('names the plugin and the field for each kind of mistake', () => {
    assert.equal(loadError(manifest({ kind: 'magic' })), 'plugin "demo": manifest.kind must be one of "pruning", "quantization", "distillation", "projection", "clustering", "other"');
    assert.equal(loadError(manifest({ version: 'one' })), 'plugin "demo": manifest.version "one" is not a semver version');
    assert.equal(loadError(manifest({ sdk: 'latest!' })), 'plugin "demo": manifest.sdk "latest!" is not a semver range');
    assert.equal(loadError(manifest({ summary: 'two\nlines' })), 'plugin "demo": manifest.summary must match pattern "^[^\\r\\n]+$"');
    assert.equal(loadError(manifest({ hardwareTargets: [] })), 'plugin "demo": manifest.hardwareTargets must NOT have fewer than 1 items');
    assert.equal(loadError(manifest({ extra: 1 })), 'plugin "demo": manifest.extra is not an allowed option');
    assert.equal(loadError({ ...manifest(), summary: undefined }), 'plugin "demo": manifest.summary is required');
    assert.equal(loadError(manifest({ name: 'Bad Name' })), 'plugin "Bad Name": manifest.name must match pattern "^(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$"');
    assert.equal(loadError('not an object'), 'plugin "demo-source": manifest must be object');
    assert.equal(loadError(manifest({ configSchema: { type: 'array' } })), 'plugin "demo": manifest.configSchema must have type "object"');
    assert.equal(loadError(manifest({ configSchema: { type: 'object', properties: { a: { type: 'number', default: 1 } } } })), 'plugin "demo": manifest.configSchema.properties.a needs a description');
    assert.equal(loadError(manifest({ configSchema: { type: 'object', properties: { a: { type: 'number', description: 'A.' } } } })), 'plugin "demo": manifest.configSchema.properties.a needs a default (or must be listed in required)');
    assert.match(loadError(manifest({ configSchema: { type: 'object', properties: { a: { type: 'decimal', description: 'A.', default: 1 } } } })), /^plugin "demo": manifest\.configSchema is not a valid JSON Schema: /);
  });

  it('pluginSupportsTarget reads hardwareTargets, with * for any', () => {
    assert.equal(pluginSupportsTarget(manifest(), 'cpu-fp32'), true);
    assert.equal(pluginSupportsTarget(manifest(), 'mcu-int8'), false);
    assert.equal(pluginSupportsTarget(manifest({ hardwareTargets: ['*'] }), 'mcu-int8'), true);
  });

  it('refuses a plugin whose sdk range the host does not satisfy', () => {
    assert.equal(loadError(manifest({ sdk: '^1.2.0' }), '1.0.0'), 'plugin "demo": manifest.sdk requires "^1.2.0" but this host provides plugin SDK 1.0.0');
    assert.equal(loadError(manifest({ sdk: '>=0.9 <2' }), '1.0.0'), 'accepted');
    assert.equal(loadError(manifest({ sdk: '^1.0.0' }), '2.0.0'), 'plugin "demo": manifest.sdk requires "^1.0.0" but this host provides plugin SDK 2.0.0');
  });

  it('config validation fills defaults and reports every problem', () => {
    const m = manifest({ configSchema: { type: 'object', required: ['method'], properties: {
      method: { enum: ['magnitude', 'random'], description: 'How weights are picked.' },
      sparsity: { type: 'number', minimum: 0, maximum: 0.99, default: 0.5, description: 'Target sparsity.' },
      schedule: { type: 'object', description: 'When to prune.', default: {}, properties: { begin: { type: 'integer', minimum: 0, default: 0, description: 'First step.' } } },
    } } });
    assert.deepEqual(validatePluginConfig(m, { method: 'random' }), { method: 'random', sparsity: 0.5, schedule: { begin: 0 } });
    assert.throws(() => validatePluginConfig(m, { sparsity: 1 }), /^PluginConfigError: plugin "demo": config\.method is required; config\.sparsity must be <= 0\.99$/);
    assert.throws(() => validatePluginConfig(m, { method: 'best', schedule: { begin: -1 } }), /config\.method must be one of "magnitude", "random"; config\.schedule\.begin must be >= 0/);
    // The caller's object is not modified.
    const given = { method: 'random' };
    validatePluginConfig(m, given);
    assert.deepEqual(given, { method: 'random' });
  });
});

describe('discovery', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'condense-discovery-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const pkg = (dir: string, json: object, files: Record<string, string> = {}): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };

  it('finds marked workspace packages under plugins/ except the SDK', () => {
    pkg(path.join(tmp, 'plugins/sdk'), { name: '@condense/plugin-sdk', condense: { plugin: true } }, { 'src/index.ts': '' });
    pkg(path.join(tmp, 'plugins/alpha'), { name: 'alpha', exports: { '.': { import: './src/main.ts' } }, condense: { plugin: true } }, { 'src/main.ts': '' });
    pkg(path.join(tmp, 'plugins/beta'), { name: 'beta', main: 'lib.js' }, { 'lib.js': '' });
    pkg(path.join(tmp, 'plugins/gamma'), { name: 'gamma', condense: { plugin: true } });
    const found = findBuiltinPlugins(tmp);
    assert.deepEqual(found.map((s) => [s.specifier, s.origin, s.url && path.relative(tmp, fileURLToPath(s.url))]), [
      ['alpha', 'builtin', path.join('plugins', 'alpha', 'src', 'main.ts')],
      ['gamma', 'builtin', null],
    ]);
    assert.match(found[1].error ?? '', /has no entry file/);
  });

  it('the repository ships built-in plugins with the marker', () => {
    for (const source of findBuiltinPlugins(ROOT)) {
      const dir = path.dirname(fileURLToPath(source.url ?? ''));
      assert.ok(!dir.includes(`${path.sep}sdk${path.sep}`), 'the SDK is not a plugin');
    }
  });

  it('resolves CONDENSE_PLUGINS entries: files, package directories, npm names', () => {
    pkg(path.join(tmp, 'local/pkgdir'), { name: 'pkgdir', exports: './entry.ts' }, { 'entry.ts': '' });
    writeFileSync(path.join(tmp, 'local/single.ts'), '');
    const sources = resolvePluginList(' ./local/single.ts, ./local/pkgdir ,@condense/plugin-sdk,,no-such-plugin-package, ./missing.ts', tmp);
    assert.deepEqual(sources.map((s) => s.specifier), ['./local/single.ts', './local/pkgdir', '@condense/plugin-sdk', 'no-such-plugin-package', './missing.ts']);
    assert.equal(fileURLToPath(sources[0].url ?? ''), path.join(tmp, 'local/single.ts'));
    assert.equal(fileURLToPath(sources[1].url ?? ''), path.join(tmp, 'local/pkgdir/entry.ts'));
    assert.equal(fileURLToPath(sources[2].url ?? ''), path.join(ROOT, 'plugins/sdk/src/index.ts'));
    assert.equal(sources[3].url, null);
    assert.match(sources[3].error ?? '', /npm package "no-such-plugin-package" is not installed/);
    assert.match(sources[4].error ?? '', /missing\.ts does not exist/);
    assert.ok(sources.every((s) => s.origin === 'env'));
  });

  it('a module that never finishes loading is refused after the describe limit', async () => {
    const started = performance.now();
    const host = await createPluginHost({ builtins: false, describeTimeoutMs: 3000, pluginList: path.join(HERE, '../fixtures/plugins/import-hangs.ts') });
    assert.deepEqual(host.list(), []);
    assert.match(host.errors[0]?.message ?? '', /import-hangs\.ts": loading its module did not finish within 3 s$/);
    assert.ok(performance.now() - started < 8000);
  });

  it('the host reads CONDENSE_PLUGINS when no list is given', async () => {
    const previous = process.env.CONDENSE_PLUGINS;
    process.env.CONDENSE_PLUGINS = path.join(HERE, '../fixtures/plugins/sdk-future.ts');
    try {
      const host = await createPluginHost({ builtins: false });
      assert.deepEqual(host.list(), []);
      assert.deepEqual(host.errors.map((e) => e.plugin), ['fixture-sdk-future']);
    } finally {
      if (previous === undefined) delete process.env.CONDENSE_PLUGINS;
      else process.env.CONDENSE_PLUGINS = previous;
    }
  });
});

describe('model transfer', () => {
  it('a model survives serialisation with identical predictions', async () => {
    await initEngine('cpu');
    const input = tf.input({ shape: [6] });
    const a = tf.layers.dense({ units: 5, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 5 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.add().apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const serialized = await serializeModel(model);
    assert.equal(serialized.weightData.byteLength, 4 * (6 * 5 + 5 + 6 * 5 + 5 + 5 * 3 + 3));
    const copy = await deserializeModel(structuredClone(serialized));
    const probe = tf.randomNormal([4, 6], 0, 1, 'float32', 7);
    const [p, q] = [model.predict(probe) as tf.Tensor, copy.predict(probe) as tf.Tensor];
    assert.deepEqual(await p.data(), await q.data());
    tf.dispose([probe, p, q]);
    model.dispose();
    copy.dispose();
  });
});
