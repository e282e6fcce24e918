// The `condense` command line (bin/condense.js runs this file through tsx).
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config.ts';
import type { CandidatesOptions } from './candidates.ts';
import type { CompressOptions } from './compress.ts';
import type { InspectOptions } from './inspect.ts';
import { reportError } from './errors.ts';
import { collect } from './parse.ts';

// Each command's module is loaded when it runs: the ML engine and the server are heavy, and help,
// argument errors and the light commands should not wait for them.
const commands = () => import('./commands.ts');

const program = new Command()
  .name('condense')
  .description('Automatic on-device model compression: prune, quantize, distill and export TensorFlow Lite models.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error:/, 'condense: error:')) });

program
  .command('compress')
  .description('compress a model locally and write the candidate .tflite files')
  .requiredOption('--model <file>', 'trained model: Keras .h5/.keras, a TF.js layers .zip or a .tflite file')
  .requiredOption('--data <file>', 'dataset: .npz/.npy, .csv, IDX, JSONL or a zip of image folders')
  .option('--target <id>', 'hardware target (repeatable; see `condense targets list`)', collect, [])
  .option('--technique <plugin[=json]>', 'use this plugin instead of the planner\'s choice (repeatable, applied in order)', collect, [])
  .option('--max-size <size>', 'largest acceptable model file, e.g. 200kb')
  .option('--max-latency <ms>', 'largest acceptable estimated latency on the target, ms')
  .option('--min-accuracy <0..1>', 'lowest acceptable accuracy')
  .option('--max-accuracy-drop <0..1>', 'largest acceptable accuracy drop from the base model (default 0.05 when no --min-accuracy is given; 1 accepts any)')
  .option('--budget <time>', 'training time the planner may spend on the run, e.g. 90s, 10m, 1h (default 45s; same budget, same results)')
  .option('--out <dir>', 'where to write the .tflite files', 'condense-out')
  .option('--data-dir <dir>', 'keep the run\'s database and blobs here (default: a temporary directory)')
  .option('--eval-samples <n>', 'measure accuracy on at most this many test samples')
  .option('--hardware <class>', 'where training steps run: cpu or gpu (the run\'s hardware class; see docs/orchestration.md)', 'cpu')
  .option('--no-progress', 'do not draw progress bars')
  .action(async (options: CompressOptions) => (await import('./compress.ts')).compressCommand(options));

program
  .command('inspect')
  .description('print a model\'s export pre-flight: per hardware target, whether it exports and what blocks it; parameters, MACs, activation memory')
  .requiredOption('--model <file>', 'trained model: Keras .h5/.keras, a TF.js layers .zip or a .tflite file')
  .option('--target <id>', 'only these hardware targets (repeatable)', collect, [])
  .option('--json', 'print the pre-flight as JSON')
  .action(async (options: InspectOptions) => (await import('./inspect.ts')).inspectCommand(options));

program
  .command('candidates')
  .description('list a run\'s candidates from a Condense server, with latency measured on devices beside the estimate')
  .requiredOption('--run <id>', 'run id (from the console or startRun)')
  .option('--server <url>', 'the Condense server (default: CONDENSE_URL)')
  .option('--api-key <key>', 'an API key of your organization (default: CONDENSE_API_KEY)')
  .option('--json', 'print the candidates as JSON')
  .action(async (options: CandidatesOptions) => (await import('./candidates.ts')).candidatesCommand(options));

program
  .command('serve')
  .description('start the GraphQL API; runs execute in-process, or on Temporal when TEMPORAL_ADDRESS is set')
  .action(async () => (await commands()).serveCommand(loadConfig()));

program
  .command('worker')
  .description('execute runs: a Temporal worker when TEMPORAL_ADDRESS is set, else an embedded runner on the database')
  .option('--hardware <classes>', 'hardware task queues to serve: cpu, gpu or cpu,gpu', 'cpu')
  .option('--no-main', 'do not serve the main queue (workflows and bookkeeping), only the hardware queues')
  .action(async (options: { hardware: string; main: boolean }) => (await commands()).workerCommand(loadConfig(), options));

program
  .command('migrate')
  .description('apply pending database migrations (or revert the last one with --down)')
  .option('--down', 'revert the most recent migration')
  .action(async (options: { down?: boolean }) => (await commands()).migrateCommand(loadConfig(), options));

const plugins = program.command('plugins').description('installed compression plugins');
plugins
  .command('list')
  .description('list installed plugins')
  .option('--json', 'print the manifests as JSON')
  .action(async (options: { json?: boolean }) => (await commands()).pluginsListCommand(loadConfig(), options));

const targets = program.command('targets').description('hardware targets');
targets
  .command('list')
  .description('list the hardware-target catalog')
  .option('--json', 'print the catalog as JSON')
  .action(async (options: { json?: boolean }) => (await commands()).targetsListCommand(options));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its one-line message (or help/version output).
    process.exitCode = err.exitCode;
  } else {
    reportError(err);
  }
}
// Worker threads, database pools and timers may linger after a command finished: leave now.
process.exit(process.exitCode ?? 0);
