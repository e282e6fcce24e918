// Turning any failure into ONE line for the person at the terminal, with a hint where we know
// what to do about it. Never a stack trace (CONDENSE_DEBUG=1 prints it for us developers).

export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const HINTS: Record<string, string> = {
  ConfigError: 'check the environment variable named above (see README, "Configuration")',
  DatabaseError: 'check DATABASE_URL, or unset it to use the embedded database in CONDENSE_DATA_DIR',
  MigrationError: 'the database schema could not be updated; run `condense migrate` to see the failing step',
  ModelImportError: 'supported models: Keras .h5 / .keras, a TF.js layers model (.zip with model.json + weights), or a .tflite file built from the ops listed in services/engine/import/README.md',
  DatasetError: 'supported datasets: .npz/.npy (x, y), .csv with a label column, IDX, JSONL text, a zip of image folders',
  UnknownTargetError: 'run `condense targets list` to see the hardware targets',
  UnknownPluginError: 'run `condense plugins list` to see the installed plugins',
  PluginConfigError: 'run `condense plugins list` to see each plugin\'s options',
};

export function describeError(err: unknown): { message: string; hint?: string } {
  if (err instanceof CliError) return { message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { message: `no such file: ${(err as NodeJS.ErrnoException).path ?? err.message}`, hint: 'check the path' };
    if (code === 'EACCES') return { message: `permission denied: ${(err as NodeJS.ErrnoException).path ?? err.message}` };
    if (code === 'EADDRINUSE') return { message: `address in use: ${err.message.replace(/^.*EADDRINUSE:?\s*/, '')}`, hint: 'set PORT to a free port' };
    const hint = HINTS[err.name];
    return { message: err.message.split('\n')[0]!, ...(hint ? { hint } : {}) };
  }
  return { message: String(err) };
}

/** Prints the error as one line (plus a hint line) to stderr and sets a failing exit code. */
export function reportError(err: unknown): void {
  const { message, hint } = describeError(err);
  process.stderr.write(`condense: error: ${message}\n`);
  if (hint) process.stderr.write(`condense: hint: ${hint}\n`);
  if (process.env.CONDENSE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
