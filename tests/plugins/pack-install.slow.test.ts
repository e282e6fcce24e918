// A third party's view of the SDK and a plugin: `npm pack` of plugins/sdk and plugins/clustering
// (prepack compiles them, plugins/build-package.mjs), `npm install <tarballs>` into an empty
// directory with no network (`--offline`: the tarballs have no dependencies of their own, the SDK's
// tfjs and the plugin's SDK are peer dependencies, the SDK coming from its tarball), then: the
// installed packages hold JavaScript and .d.ts only, plain node (no tsx) imports them, a
// TypeScript file written against the installed typings compiles, and the real plugin host loads
// the installed plugin from that directory (CONDENSE_PLUGINS) and runs it in its sandbox on a tiny
// model.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/arrays.ts';
import { deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { wasmPluginHost } from '../helpers/plugin-fixtures.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('npm pack of the SDK and the clustering plugin, installed elsewhere', () => {
  let work: string;
  let consumer: string;
  let host: PluginHost;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'condense-pack-'));
    const packs = path.join(work, 'packs');
    mkdirSync(packs);
    const tarballs = ['sdk', 'clustering'].map((name) => {
      const out = npm(['pack', '--pack-destination', packs], path.join(ROOT, 'plugins', name)).trim().split('\n').at(-1)!;
      return path.join(packs, out);
    });
    consumer = path.join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', '--offline', '--legacy-peer-deps', ...tarballs], consumer);
  });
  after(async () => {
    await host?.close();
    delete process.env.CONDENSE_PLUGINS;
    rmSync(work, { recursive: true, force: true });
  });

  test('the packed repository manifests are restored and the installed packages hold compiled JavaScript and typings', () => {
    for (const name of ['sdk', 'clustering']) {
      const manifest = JSON.parse(readFileSync(path.join(ROOT, 'plugins', name, 'package.json'), 'utf8'));
      assert.deepEqual(manifest.exports, { '.': './src/index.ts' }, `plugins/${name}/package.json restored after npm pack`);
    }
    for (const dir of ['@condense/plugin-sdk', 'condense-plugin-clustering']) {
      const files = filesUnder(path.join(consumer, 'node_modules', dir)).map((f) => path.relative(path.join(consumer, 'node_modules', dir), f));
      assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), `${dir}: ${files.join(', ')}`);
      assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], `${dir} ships no TypeScript sources`);
      assert.equal(files.some((f) => f.startsWith('src/')), false);
    }
  });

  test('plain node imports them, and TypeScript compiles against the installed typings', () => {
    const script = "const sdk = await import('@condense/plugin-sdk'); const p = (await import('condense-plugin-clustering')).default;"
      + ' console.log(JSON.stringify({ sdk: sdk.SDK_VERSION, name: p.manifest.name, kind: p.manifest.kind, compress: typeof p.hooks.compress }));';
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8', env: { PATH: process.env.PATH } }));
    assert.deepEqual(out, { sdk: JSON.parse(readFileSync(path.join(ROOT, 'plugins/sdk/package.json'), 'utf8')).version, name: 'clustering', kind: 'clustering', compress: 'function' });

    writeFileSync(path.join(consumer, 'check.ts'), [
      "import { definePlugin, TARGET_IDS, type ActivationRanges, type CandidateModel } from '@condense/plugin-sdk';",
      "import clustering from 'condense-plugin-clustering';",
      "const ranges: ActivationRanges = { version: 1, outputs: { dense: { min: 0, max: 1 } } };",
      "const name: string = clustering.manifest.name;",
      "export default definePlugin<{ k: number }>({",
      "  manifest: { name: 'mine', version: '0.1.0', sdk: '^1.5.0', kind: 'other', summary: 'x', hardwareTargets: [...TARGET_IDS], configSchema: { type: 'object', properties: {} } },",
      "  hooks: { async compress(ctx): Promise<CandidateModel[]> { return [{ name, model: ctx.model, exportHints: { activationRanges: ranges } }]; } },",
      '});',
    ].join('\n'));
    // The consumer has no @tensorflow/tfjs (a peer dependency, the host provides it): types from the repository's.
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [], paths: { '@tensorflow/tfjs': [path.join(ROOT, 'node_modules/@tensorflow/tfjs')] } },
      files: ['check.ts'],
    }));
    const tsc = createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', consumer], { cwd: consumer, encoding: 'utf8' });
  });

  test('the plugin host loads the installed plugin and runs it in its sandbox on a tiny model', async () => {
    await initEngine('wasm');
    process.env.CONDENSE_PLUGINS = path.join(consumer, 'node_modules', 'condense-plugin-clustering');
    host = await wasmPluginHost({ builtins: false });
    assert.deepEqual(host.errors, []);
    const plugin = host.list().find((p) => p.manifest.name === 'clustering');
    assert.ok(plugin);
    assert.equal(plugin.origin, 'env');
    assert.ok(fileURLToPath(plugin.url).startsWith(consumer) && plugin.url.endsWith('/dist/index.js'), plugin.url);

    // 4 features → 8 hidden → 2 classes; two separable blobs.
    const n = 200;
    const x = new Float32Array(n * 4);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let k = 0; k < 4; k++) x[i * 4 + k] = (y[i] ? 1 : -1) + Math.sin(i * 7 + k) * 0.5;
    }
    const data = datasetFromArrays(x, y, [4], { seed: 1 });
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
    const result = await host.invoke('clustering', { model, data, config: { clusters: 4, epochs: 0 } });
    assert.deepEqual(result.failures, []);
    assert.equal(result.candidates.length, 1);
    const clustered = await deserializeModel(result.candidates[0]!.model);
    for (const layer of clustered.layers) assert.ok(new Set(layer.getWeights()[0]!.dataSync()).size <= 4, `${layer.name} clustered to ≤ 4 values`);
    clustered.dispose();
    model.dispose();
  });
});
