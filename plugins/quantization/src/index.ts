// @condense/plugin-quantization: post-training full-integer int8, float16 and dynamic-range
// candidates, with quantization-aware fine-tuning when simulated int8 loses too much accuracy.
import { cloneModel, definePlugin, type CandidateModel, type PluginContext, TARGET_IDS } from '@condense/plugin-sdk';
import { configSchema, type QuantizationConfig, type QuantizationModeName } from './config.ts';
import { int8Candidate } from './int8.ts';

const NOTES: Record<Exclude<QuantizationModeName, 'int8'>, string> = {
  float16: 'Weights stored as float16 (half the float32 size), computed in float; suits GPU delegates.',
  'dynamic-int8': 'Dynamic-range quantization: int8 weights, float activations; about 4× smaller weights with no calibration.',
};

/** The requested modes that at least one of the run's targets accepts (all when no targets). */
function modesForTargets(ctx: PluginContext, modes: QuantizationModeName[]): QuantizationModeName[] {
  if (ctx.targets.length === 0) return modes;
  const accepted = modes.filter((m) => ctx.targets.some((t) => t.acceptedQuantizations.includes(m)));
  if (accepted.length === 0) {
    throw new Error(`none of the requested modes (${modes.join(', ')}) is accepted by the run's targets (${ctx.targets.map((t) => t.id).join(', ')})`);
  }
  const dropped = modes.filter((m) => !accepted.includes(m));
  if (dropped.length > 0) ctx.log.info(`skipping ${dropped.join(', ')}: no target of the run accepts it`);
  return accepted;
}

export default definePlugin<QuantizationConfig>({
  manifest: {
    name: 'quantization',
    version: '1.1.0',
    sdk: '^1.5.0',
    kind: 'quantization',
    summary: 'Post-training int8 / float16 / dynamic-range quantization, with quantization-aware fine-tuning when int8 costs too much accuracy.',
    // The formats each target's runtime takes (float32 needs no plugin).
    hardwareTargets: [...TARGET_IDS],
    modes: {
      'cpu-fp32': ['int8', 'dynamic-int8', 'float16'],
      'cpu-int8': ['int8', 'dynamic-int8'],
      'gpu-fp16': ['float16'],
      'edgetpu-int8': ['int8'],
      'mcu-int8': ['int8'],
      'browser-wasm': ['float16'],
    },
    configSchema,
  },
  hooks: {
    async compress(ctx, config) {
      const modes = modesForTargets(ctx, config.modes);
      if (modes.includes('int8') && ctx.data.info.kind !== 'tensor') {
        throw new Error(`int8 calibration needs a tensor dataset; this one is '${ctx.data.info.kind}'`);
      }
      const candidates: CandidateModel[] = [];
      for (const mode of modes) {
        if (ctx.signal.aborted) throw new Error('quantization cancelled');
        const model = await cloneModel(ctx.tf, ctx.model);
        if (mode === 'int8') {
          candidates.push(await int8Candidate(ctx, model, config));
        } else {
          candidates.push({ name: `quantized-${mode}`, model, exportHints: { quantization: mode }, notes: NOTES[mode] });
        }
      }
      return candidates;
    },
  },
});
