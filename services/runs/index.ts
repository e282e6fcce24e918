// Executing compression runs: the two RunLauncher implementations and what they need.
export type { RunLauncher } from './launcher.ts';
export { EmbeddedRunner, COMPRESSION_WORKFLOW, type EmbeddedRunnerOptions } from './embedded-runner.ts';
export { TemporalLauncher, type TemporalLauncherOptions } from './temporal-launcher.ts';
export { openRunServices, type RunServices, type RunServicesOptions } from './run-services.ts';
export { createLocalRun, localOrganization, type LocalRunRequest } from './local-run.ts';
export { RunJournal, LeaseLostError, type JournalEntry } from './journal.ts';
export { ActivityFailedError, NondeterminismError, RunAbandonedError, RunCancelledError } from './errors.ts';
