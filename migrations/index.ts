// Every migration, listed statically so it loads under tsx, node's test runner and any bundler.
// Add one line per new migration; names sort in the order they run.
import type { Migration } from 'kysely';
import * as m0001 from './0001_core.ts';
import * as m0002 from './0002_domain.ts';
import * as m0003 from './0003_runner.ts';
import * as m0004 from './0004_candidate_source_accuracy.ts';
import * as m0005 from './0005_step_artifacts.ts';
import * as m0007 from './0007_channel_rollouts.ts';
import * as m0008 from './0008_download_bytes.ts';
import * as m0009 from './0009_model_preflight.ts';
import * as m0010 from './0010_parallel_runs.ts';
import * as m0011 from './0011_run_budget.ts';
import * as m0012 from './0012_candidate_auc.ts';
import * as m0014 from './0014_security_findings.ts';
import * as m0015 from './0015_field_stats.ts';
import * as m0016 from './0016_consent_and_sign_out.ts';

export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_domain': m0002,
  '0003_runner': m0003,
  '0004_candidate_source_accuracy': m0004,
  '0005_step_artifacts': m0005,
  '0007_channel_rollouts': m0007,
  '0008_download_bytes': m0008,
  '0009_model_preflight': m0009,
  '0010_parallel_runs': m0010,
  '0011_run_budget': m0011,
  '0012_candidate_auc': m0012,
  '0014_security_findings': m0014,
  '0015_field_stats': m0015,
  '0016_consent_and_sign_out': m0016,
};
