// The planner–plugin contract: built-in plugins declare the targets they serve (no '*') and, per
// target, the modes they offer; the SDK's target ids are the catalog's; the host refuses modes for
// targets a plugin does not declare; the planner chooses plugins by those declarations; and a
// plugin's source imports nothing of Condense but the SDK (lint rule).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { TARGET_IDS, type PluginManifest } from '@condense/plugin-sdk';
import { planCandidates, type PlannerPluginInfo } from '../../services/planner/index.ts';
import { validateManifest } from '../../services/plugins/index.ts';
import { getTarget, listTargets } from '../../services/targets/index.ts';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const BUILTINS = ['pruning', 'distillation', 'quantization', 'clustering'];

async function manifestOf(name: string): Promise<PluginManifest> {
  const mod = (await import(`../../plugins/${name}/src/index.ts`)) as { default: { manifest: PluginManifest } };
  return mod.default.manifest;
}

test('the SDK exports the catalog\'s target ids', () => {
  assert.deepEqual([...TARGET_IDS].sort(), listTargets().map((t) => t.id).sort());
});

test('built-in plugins declare their targets (no "*") and valid modes per target', async () => {
  for (const name of BUILTINS) {
    const manifest = validateManifest(await manifestOf(name), name);
    assert.ok(!(manifest.hardwareTargets as string[]).includes('*'), `${name} declares '*'`);
    for (const [target, modes] of Object.entries(manifest.modes ?? {})) {
      assert.ok((manifest.hardwareTargets as string[]).includes(target), `${name}: modes for undeclared ${target}`);
      if (name === 'quantization') {
        for (const mode of modes!) assert.ok(getTarget(target).acceptedQuantizations.includes(mode as never), `quantization offers ${mode} on ${target}, which does not take it`);
      }
    }
  }
});

test('the host refuses modes for a target the plugin does not declare', () => {
  const manifest = {
    name: 'x-quant', version: '1.0.0', sdk: '^1.4.0', kind: 'quantization', summary: 'x', hardwareTargets: ['cpu-int8'],
    modes: { 'mcu-int8': ['int8'] }, configSchema: { type: 'object', properties: {} },
  };
  assert.throws(() => validateManifest(manifest, 'x'), /manifest\.modes\.mcu-int8: the plugin does not declare target "mcu-int8"/);
  assert.doesNotThrow(() => validateManifest({ ...manifest, modes: { 'cpu-int8': ['int8'] } }, 'x'));
});

test('the planner chooses plugins by their declared targets and modes', () => {
  const plugins: PlannerPluginInfo[] = [
    { name: 'quantization', kind: 'quantization', hardwareTargets: ['cpu-int8', 'mcu-int8'], modes: { 'cpu-int8': ['int8', 'dynamic-int8'], 'mcu-int8': ['int8'] } },
    // A quantizer sorting first by name that offers no int8 anywhere: never closes an int8 chain.
    { name: 'aaa-fp16', kind: 'quantization', hardwareTargets: ['cpu-int8', 'mcu-int8'], modes: { 'cpu-int8': ['float16'], 'mcu-int8': ['float16'] } },
    // Serves cpu-int8 only.
    { name: 'distillation', kind: 'distillation', hardwareTargets: ['cpu-int8'] },
    // Names both targets (so it wins over '*'), but offers no structured pruning on mcu-int8.
    { name: 'zz-prune', kind: 'pruning', hardwareTargets: ['cpu-int8', 'mcu-int8'], modes: { 'mcu-int8': ['unstructured'] } },
    { name: 'pruning', kind: 'pruning', hardwareTargets: ['*'] },
  ];
  const plans = planCandidates({ dataset: { kind: 'tensor', inputShape: [8], numClasses: 3 }, targets: ['cpu-int8', 'mcu-int8'], plugins, families: ['prune', 'distill'] });
  const byKey = new Map(plans.map((p) => [p.key, p]));
  assert.deepEqual([...byKey.keys()].sort(), [
    'cpu-int8:distill-large+int8', 'cpu-int8:distill-medium+int8', 'cpu-int8:distill-small+int8', 'cpu-int8:prune-50+int8', 'mcu-int8:prune-50+int8',
  ], 'no distillation on a target the distiller does not declare');
  assert.equal(byKey.get('cpu-int8:prune-50+int8')!.chain[0]!.plugin, 'zz-prune', 'a plugin naming the target wins over one declaring *');
  assert.equal(byKey.get('mcu-int8:prune-50+int8')!.chain[0]!.plugin, 'pruning', 'zz-prune offers no structured pruning on mcu-int8');
  assert.ok(plans.every((p) => p.chain.at(-1)!.plugin === 'quantization'), 'int8 closes with the quantizer that offers int8 there');
});

test('plugins import only the SDK (lint rule)', async () => {
  const eslint = new ESLint({ cwd: root });
  const probe = [
    "import { tf } from '../../../services/engine/backend/index.ts';",
    "import * as tfjs from '@tensorflow/tfjs';",
    "import { timeJointVsSingle } from '@condense/plugin-distillation';",
    "import { definePlugin } from '@condense/plugin-sdk';",
    "import { gzipSync } from 'node:zlib';",
    'export const used = [tf, tfjs, timeJointVsSingle, definePlugin, gzipSync];',
  ].join('\n');
  const [result] = await eslint.lintText(probe, { filePath: join(root, 'plugins/clustering/src/probe.ts') });
  const restricted = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
  assert.deepEqual(restricted, [1, 2, 3], JSON.stringify(result!.messages));
});
