// `condense inspect`: a model file's export pre-flight, without running anything.
import { loadConfig } from '../config.ts';
import { initEngine } from '../engine/backend/index.ts';
import { getTarget } from '../targets/index.ts';
import { readInput } from './compress.ts';
import { CliError } from './errors.ts';
import { formatPreflight, preflightOf } from './preflight.ts';

export interface InspectOptions {
  model: string;
  target: string[];
  json?: boolean;
}

export async function inspectCommand(options: InspectOptions): Promise<void> {
  for (const t of options.target) getTarget(t);
  const model = readInput('--model', options.model);
  await initEngine(loadConfig().backend);
  const preflight = await preflightOf(model);
  if (!preflight) throw new CliError(`${model.filename} is a TF.js graph model: it has no layers to pre-flight`, 'upload a Keras .h5/.keras, a TF.js layers model or a .tflite file');
  const targets = options.target.length > 0 ? options.target : undefined;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...preflight, targets: preflight.targets.filter((t) => !targets || targets.includes(t.target)) }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatPreflight(preflight, targets)}\n`);
  }
}
