// Plan steps as content-addressed artifacts. A step is one plugin call on one input model; its
// key hashes everything the call's result depends on — input model, teacher, dataset (blob, split
// seed, sample cap), plugin name and version, config, the run's targets — and its result (every
// model the plugin returned, stored as blobs) is recorded under that key in `step_artifacts`.
// So a step that several candidates share (the joint distillation that yields three students, a
// pruning step used by three targets) runs once per run, and a retried or resumed run finds its
// finished steps instead of training them again. Calls in flight in this process are shared too,
// so candidates running in parallel wait for one call rather than starting a second.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withTenant } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import type { ExportHints } from '@condense/plugin-sdk';

/** One model a step returned (plugins may return several: one per student, per mode). */
export interface StepOutput {
  name: string;
  /** Blob sha256 of the model as a TF.js layers zip. */
  modelSha256: string;
  notes?: string;
  exportHints?: ExportHints;
  metrics?: Record<string, number>;
}

/** What a step's result depends on. */
export interface StepIdentity {
  /** Blob sha256 of the input model (the uploaded file for a chain's first step). */
  inputSha256: string;
  /** Blob sha256 of the teacher (the run's base model). */
  teacherSha256: string;
  /** The data the plugin sees: dataset blob, split seed, per-split cap. */
  data: { sha256: string; seed: number; maxSamples: number | null };
  plugin: string;
  pluginVersion: string;
  config: Record<string, unknown>;
  /** The run's targets, as the plugin is told them. */
  targets: string[];
  /** Size of the TFLite metadata and labels the plugin's ctx.export.evaluate files carry (compress.ts,
   * stepExportMetadata); absent where it measures none. */
  exportMetadataBytes?: number;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The step's content address: sha256 of its identity in canonical JSON (key order ignored). */
export function stepKey(identity: StepIdentity): string {
  const normalized = { ...identity, targets: [...identity.targets].sort() };
  return createHash('sha256').update(JSON.stringify(canonical(normalized))).digest('hex');
}

export async function findStep(db: Kysely<DB>, orgId: string, key: string): Promise<StepOutput[] | undefined> {
  const row = await withTenant(db, orgId, (trx) =>
    trx.selectFrom('step_artifacts').select('outputs').where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst(),
  );
  return row ? (row.outputs as StepOutput[]) : undefined;
}

export async function saveStep(db: Kysely<DB>, orgId: string, key: string, identity: StepIdentity, outputs: StepOutput[], durationMs: number): Promise<void> {
  await withTenant(db, orgId, (trx) =>
    trx
      .insertInto('step_artifacts')
      .values({
        org_id: orgId,
        key,
        plugin: identity.plugin,
        plugin_version: identity.pluginVersion,
        input_sha256: identity.inputSha256,
        config: JSON.stringify(identity.config),
        outputs: JSON.stringify(outputs),
        duration_ms: Math.round(durationMs),
      })
      // Two processes may finish the same step: the first result stands (both are valid).
      .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
      .execute(),
  );
}

export type StepSource = 'ran' | 'stored' | 'shared';

const inflight = new Map<string, Promise<StepOutput[]>>();

/**
 * The step's outputs: recorded ones if the step already ran (`stored`), the pending call of
 * another candidate in this process (`shared`), or a new call of `run` (`ran`), recorded before
 * it is returned. A failed call is not recorded and is not shared with later callers.
 */
export async function runStep(
  db: Kysely<DB>, orgId: string, identity: StepIdentity, run: () => Promise<{ outputs: StepOutput[]; durationMs: number }>,
): Promise<{ key: string; outputs: StepOutput[]; source: StepSource }> {
  const key = stepKey(identity);
  const scoped = `${orgId}/${key}`;
  const pending = inflight.get(scoped);
  if (pending) return { key, outputs: await pending, source: 'shared' };
  const stored = await findStep(db, orgId, key);
  if (stored) return { key, outputs: stored, source: 'stored' };
  // Checked again: another candidate may have started the call while we read the table.
  const raced = inflight.get(scoped);
  if (raced) return { key, outputs: await raced, source: 'shared' };
  const call = (async () => {
    const { outputs, durationMs } = await run();
    await saveStep(db, orgId, key, identity, outputs, durationMs);
    return outputs;
  })();
  inflight.set(scoped, call);
  try {
    return { key, outputs: await call, source: 'ran' };
  } finally {
    inflight.delete(scoped);
  }
}
