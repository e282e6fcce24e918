// Compression runs: start, cancel, retry; their timeline and candidates; the live event stream.
import { ARCHITECTURE_CHANGING_PLUGINS, preflightRefusal } from '../../targets/index.ts';
import { checkBudgetSeconds, DEFAULT_BUDGET_SECONDS, MAX_BUDGET_SECONDS, MIN_BUDGET_SECONDS } from '../../planner/budget.ts';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { appendRunEvent, countRunEvents, listRunEvents } from '../../events/store.ts';
import type { RunEvent as StoredRunEvent } from '../../events/types.ts';
import type { Selectable } from 'kysely';
import type { TenantTransaction } from '../../db/tenant.ts';
import type { DB } from '../../db/types/index.ts';
import { authenticate } from '../auth.ts';
import { authenticateSession } from '../session-auth.ts';
import { isSignedOut } from '../sign-out.ts';
import { withTenant } from '../../db/tenant.ts';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError, graphQLError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { unknownTargets } from '../loaders.ts';
import { audit, idempotent, mutate } from '../mutations.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { JSONScalar, PageArgs, UserError, connectionOf } from '../types/common.ts';
import { Dataset, ModelVersion, Project } from '../types/project.ts';
import { Candidate, CandidateDownloads, CompressionRun, HardwareClassEnum, RunEvent, type HardwareClassValue } from '../types/run.ts';

const CandidateConnection = connectionOf(Candidate, 'Candidate');
const RunEventConnection = connectionOf(RunEvent, 'RunEvent');

@InputType({ description: 'One technique: a plugin and its configuration.' })
class TechniqueChoiceInput {
  @Field(() => String, { description: 'Plugin name (see `plugins`).' })
  plugin!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'Plugin configuration; validated against the plugin\'s configSchema, defaults filled.' })
  config?: Record<string, unknown> | null;
}

@InputType({ description: 'Limits candidates must meet.' })
class RunConstraintsInput {
  @Field(() => Int, { nullable: true, description: 'Largest .tflite file, bytes.' })
  maxBytes?: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest estimated on-target latency, ms.' })
  maxLatencyMs?: number | null;

  @Field(() => Float, { nullable: true, description: 'Lowest accuracy (0..1).' })
  minAccuracy?: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest accuracy loss against the base model (0..1).' })
  maxAccuracyDrop?: number | null;
}

@InputType({ description: 'Start a compression run.' })
class StartRunInput {
  @Field(() => ID, { description: 'Model version to compress.' })
  modelVersionId!: string;

  @Field(() => ID, { description: 'Dataset to train and evaluate on (same project).' })
  datasetId!: string;

  @Field(() => [String], { description: 'Hardware target ids (see `hardwareTargets`).' })
  targets!: string[];

  @Field(() => [TechniqueChoiceInput], { nullable: true, description: 'Techniques to apply; omit (or set auto) to let the planner choose.' })
  techniques?: TechniqueChoiceInput[] | null;

  @Field(() => Boolean, { nullable: true, description: 'True: the planner chooses techniques ("auto"). Default: true when no techniques are given.' })
  auto?: boolean | null;

  @Field(() => RunConstraintsInput, { nullable: true, description: 'Constraints on candidates.' })
  constraints?: RunConstraintsInput | null;

  @Field(() => HardwareClassEnum, { nullable: true, description: 'Where training steps execute (default CPU): the workers serving task queue condense-cpu or condense-gpu.' })
  hardwareClass?: HardwareClassValue | null;

  @Field(() => Float, { nullable: true, description: `Time budget: seconds of training the planner may spend on the whole run (students, search, fine-tuning; ${MIN_BUDGET_SECONDS} s to ${MAX_BUDGET_SECONDS / 86400} days). Default ${DEFAULT_BUDGET_SECONDS} s. The same budget gives the same plan and epochs, hence reproducible results.` })
  budgetSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'Same key + same input returns the same run; same key + other input is an error.' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Identify a run.' })
class RunIdInput {
  @Field(() => ID, { description: 'Run id.' })
  runId!: string;
}

@ObjectType({ description: 'Result of a run mutation.' })
class RunPayload {
  @Field(() => CompressionRun, { nullable: true, description: 'The run after the change.' })
  run?: CompressionRun | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

async function requireRun(trx: TenantTransaction, id: string) {
  const uuid = keyOf(id, 'CompressionRun');
  const row = uuid ? await trx.selectFrom('compression_runs').selectAll().where('id', '=', uuid).executeTakeFirst() : undefined;
  if (!row) throw new UserFacingError('NOT_FOUND', 'run not found', 'runId');
  return row;
}

function checkConstraints(c: RunConstraintsInput | null | undefined) {
  const out = { maxBytes: c?.maxBytes ?? null, maxLatencyMs: c?.maxLatencyMs ?? null, minAccuracy: c?.minAccuracy ?? null, maxAccuracyDrop: c?.maxAccuracyDrop ?? null };
  if (out.maxBytes !== null && out.maxBytes <= 0) throw new UserFacingError('INVALID_INPUT', 'constraints.maxBytes must be positive', 'constraints');
  if (out.maxLatencyMs !== null && out.maxLatencyMs <= 0) throw new UserFacingError('INVALID_INPUT', 'constraints.maxLatencyMs must be positive', 'constraints');
  for (const key of ['minAccuracy', 'maxAccuracyDrop'] as const) {
    const v = out[key];
    if (v !== null && !(v >= 0 && v <= 1)) throw new UserFacingError('INVALID_INPUT', `constraints.${key} must be between 0 and 1`, 'constraints');
  }
  return out;
}

/** Creates the run row + RUN_QUEUED event in one transaction. */
async function insertRun(
  trx: TenantTransaction,
  context: ApiContext,
  fields: {
    projectId: string; modelVersionId: string; datasetId: string; targets: string[]; techniques: { plugin: string; config: Record<string, unknown> }[] | null;
    constraints: Record<string, number | null>; budgetSeconds: number | null; retryOf: string | null; hardwareClass: HardwareClassValue;
  },
): Promise<Selectable<DB['compression_runs']>> {
  const auth = caller(context);
  const row = await trx.insertInto('compression_runs').values({
    org_id: auth.orgId, project_id: fields.projectId, model_version_id: fields.modelVersionId, dataset_id: fields.datasetId,
    targets: JSON.stringify(fields.targets), techniques: fields.techniques === null ? null : JSON.stringify(fields.techniques),
    constraints: JSON.stringify(fields.constraints), budget_seconds: fields.budgetSeconds, retry_of: fields.retryOf, created_by: auth.userId, hardware_class: fields.hardwareClass,
  }).returningAll().executeTakeFirstOrThrow();
  // Independent of each other: one round trip (the event bumps event_seq, so the row returned
  // above is re-read for it).
  const [event] = await Promise.all([
    appendRunEvent(trx, { orgId: auth.orgId, runId: row.id, type: 'RUN_QUEUED', payload: fields.retryOf ? { retryOf: fields.retryOf } : {} }),
    audit(trx, context, fields.retryOf ? 'run.retry' : 'run.start', { type: 'run', id: row.id }, { targets: fields.targets }),
  ]);
  return { ...row, event_seq: event.seq, updated_at: event.createdAt };
}

async function loadRunRow(trx: TenantTransaction, runId: string): Promise<Selectable<DB['compression_runs']>> {
  return trx.selectFrom('compression_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
}

/** Never an id: stands in for a dataset id that did not decode, so the join finds nothing. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

async function loadRun(context: ApiContext, runId: string): Promise<CompressionRun> {
  return CompressionRun.from(await context.tenant((trx) => trx.selectFrom('compression_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow()));
}

@Resolver()
export class RunMutations {
  @Authorized('MEMBER')
  @Mutation(() => RunPayload, { description: 'Start a compression run (status QUEUED until an executor picks it up).' })
  startRun(@Arg('input', () => StartRunInput, { description: 'Model, data, targets, techniques, constraints.' }) input: StartRunInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(async () => {
      const targets = [...new Set(input.targets)];
      if (targets.length === 0) throw new UserFacingError('INVALID_INPUT', 'give at least one hardware target', 'targets');
      const unknown = unknownTargets(targets);
      if (unknown.length > 0) throw new UserFacingError('UNKNOWN_TARGET', `unknown hardware target: ${unknown.join(', ')}`, 'targets');
      const auto = input.auto ?? !(input.techniques && input.techniques.length > 0);
      if (auto && input.techniques && input.techniques.length > 0) throw new UserFacingError('INVALID_INPUT', 'give techniques or auto, not both', 'techniques');
      let techniques: { plugin: string; config: Record<string, unknown> }[] | null = null;
      if (!auto) {
        if (!input.techniques || input.techniques.length === 0) throw new UserFacingError('INVALID_INPUT', 'give at least one technique or set auto', 'techniques');
        const known = new Set((await context.services.plugins.list()).map((p) => p.name));
        techniques = [];
        for (const choice of input.techniques) {
          if (!known.has(choice.plugin)) throw new UserFacingError('UNKNOWN_PLUGIN', `plugin "${choice.plugin}" is not installed`, 'techniques');
          try {
            techniques.push({ plugin: choice.plugin, config: await context.services.plugins.validateConfig(choice.plugin, choice.config ?? {}) });
          } catch (error) {
            throw new UserFacingError('INVALID_PLUGIN_CONFIG', (error as Error).message, 'techniques');
          }
        }
      }
      const constraints = checkConstraints(input.constraints);
      const budgetSeconds = input.budgetSeconds ?? null;
      if (budgetSeconds !== null) {
        try {
          checkBudgetSeconds(budgetSeconds);
        } catch (error) {
          throw new UserFacingError('INVALID_INPUT', (error as Error).message, 'budgetSeconds');
        }
      }
      const mvId = keyOf(input.modelVersionId, 'ModelVersion');
      const dsId = keyOf(input.datasetId, 'Dataset');
      const { run, created } = await context.tenant(async (trx) => {
        let created: Selectable<DB['compression_runs']> | null = null;
        // The model version, its project and the dataset in one select, sent in the same round
        // trip as BEGIN and the idempotency lookup (it is not needed when the key was seen).
        const found = mvId
          ? trx.selectFrom('model_versions as v').innerJoin('models as m', 'm.id', 'v.model_id').innerJoin('projects as p', 'p.id', 'm.project_id')
            .leftJoin('datasets as d', (join) => join.on('d.id', '=', dsId ?? NIL_UUID))
            .select(['v.id', 'm.project_id', 'v.preflight', 'p.archived_at', 'd.id as dataset_id', 'd.project_id as dataset_project_id'])
            .where('v.id', '=', mvId).executeTakeFirst()
          : Promise.resolve(undefined);
        found.catch(() => undefined); // awaited below, unless the key was seen
        const result = await idempotent(trx, auth.orgId, 'startRun', input.idempotencyKey, { ...input, idempotencyKey: undefined }, async () => {
          const version = await found;
          if (!version) throw new UserFacingError('NOT_FOUND', 'model version not found', 'modelVersionId');
          // The upload's pre-flight: refuse now what would otherwise fail at the baseline step.
          if (version.preflight) {
            const reshapes = techniques === null || techniques.some((t) => ARCHITECTURE_CHANGING_PLUGINS.includes(t.plugin));
            const refusal = preflightRefusal(version.preflight, targets, reshapes);
            if (refusal) throw new UserFacingError('NOT_EXPORTABLE', refusal, 'modelVersionId');
          }
          if (!version.dataset_id) throw new UserFacingError('NOT_FOUND', 'dataset not found', 'datasetId');
          if (version.dataset_project_id !== version.project_id) throw new UserFacingError('INVALID_INPUT', 'the model and the dataset belong to different projects', 'datasetId');
          if (version.archived_at) throw new UserFacingError('INVALID_STATE', 'the project is archived', 'modelVersionId');
          created = await insertRun(trx, context, {
            projectId: version.project_id, modelVersionId: version.id, datasetId: version.dataset_id, targets, techniques, constraints, budgetSeconds, retryOf: null,
            hardwareClass: input.hardwareClass ?? 'cpu',
          });
          return { runId: created.id };
        });
        return { run: created ?? (await loadRunRow(trx, result.runId as string)), created: created !== null };
      });
      if (created) await context.services.launcher.start(auth.orgId, run.id, { hardwareClass: run.hardware_class });
      return { run: CompressionRun.from(run) };
    });
  }

  @Authorized('MEMBER')
  @Mutation(() => RunPayload, { description: 'Ask a queued or running run to stop; it ends CANCELLED.' })
  cancelRun(@Arg('input', () => RunIdInput, { description: 'Run to cancel.' }) input: RunIdInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(async () => {
      const runId = await context.tenant(async (trx) => {
        const run = await requireRun(trx, input.runId);
        if (run.status !== 'queued' && run.status !== 'running') throw new UserFacingError('INVALID_STATE', `the run already ended (${run.status})`, 'runId');
        await trx.updateTable('compression_runs').set({ cancel_requested_at: new Date() }).where('id', '=', run.id).where('cancel_requested_at', 'is', null).execute();
        await audit(trx, context, 'run.cancel', { type: 'run', id: run.id });
        return run.id;
      });
      await context.services.launcher.cancel(auth.orgId, runId);
      return { run: await loadRun(context, runId) };
    });
  }

  @Authorized('MEMBER')
  @Mutation(() => RunPayload, { description: 'Start a new run with the same inputs as a failed or cancelled one.' })
  retryRun(@Arg('input', () => RunIdInput, { description: 'Run to retry.' }) input: RunIdInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(async () => {
      const retry = await context.tenant(async (trx) => {
        const run = await requireRun(trx, input.runId);
        if (run.status !== 'failed' && run.status !== 'cancelled') throw new UserFacingError('INVALID_STATE', `only failed or cancelled runs can be retried (this one is ${run.status})`, 'runId');
        return insertRun(trx, context, {
          projectId: run.project_id, modelVersionId: run.model_version_id, datasetId: run.dataset_id, targets: run.targets, techniques: run.techniques,
          constraints: run.constraints as Record<string, number | null>, budgetSeconds: run.budget_seconds, retryOf: run.id, hardwareClass: run.hardware_class,
        });
      });
      await context.services.launcher.start(auth.orgId, retry.id, { hardwareClass: retry.hardware_class });
      return { run: CompressionRun.from(retry) };
    });
  }
}

@Resolver(() => CompressionRun)
export class RunResolver {
  @FieldResolver(() => Project, { description: 'Project of the run.' })
  async project(@Root() run: CompressionRun, @Ctx() context: ApiContext): Promise<Project> {
    return Project.from((await context.loaders.byId('projects').load(run.projectId))!);
  }

  @FieldResolver(() => ModelVersion, { description: 'The model version compressed.' })
  async modelVersion(@Root() run: CompressionRun, @Ctx() context: ApiContext): Promise<ModelVersion> {
    return ModelVersion.from((await context.loaders.byId('model_versions').load(run.modelVersionId))!);
  }

  @FieldResolver(() => Dataset, { description: 'The dataset used.' })
  async dataset(@Root() run: CompressionRun, @Ctx() context: ApiContext): Promise<Dataset> {
    return Dataset.from((await context.loaders.byId('datasets').load(run.datasetId))!);
  }

  @FieldResolver(() => CompressionRun, { nullable: true, description: 'The run this one retries.' })
  async retryOf(@Root() run: CompressionRun, @Ctx() context: ApiContext): Promise<CompressionRun | null> {
    if (!run.retryOfId) return null;
    const row = await context.loaders.byId('compression_runs').load(run.retryOfId);
    return row ? CompressionRun.from(row) : null;
  }

  @FieldResolver(() => CandidateConnection, { description: 'Candidates, in the order they finished.' })
  candidates(
    @Root() run: CompressionRun,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('paretoOnly', () => Boolean, { defaultValue: false, description: 'Only Pareto-optimal candidates.' }) paretoOnly: boolean,
    @Ctx() context: ApiContext,
  ) {
    const window = pageWindow(page);
    if (!paretoOnly) {
      return context.loaders.childPage('candidates').load({ parentId: run.uuid, window }).then(({ rows, totalCount }) => toConnection(rows.map(Candidate.from), window, totalCount));
    }
    return context.tenant(async (trx) => {
      const base = trx.selectFrom('candidates').where('run_id', '=', run.uuid).where('pareto', '=', true);
      const rows = await base.selectAll().orderBy('created_at').orderBy('id').offset(window.offset).limit(window.limit).execute();
      const count = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(Candidate.from), window, Number(count.n));
    });
  }

  @FieldResolver(() => RunEventConnection, { description: 'The timeline: stored events in order; `after` takes an event cursor.' })
  events(@Root() run: CompressionRun, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const afterSeq = parseEventCursor(page.after);
    const { limit } = pageWindow({ first: page.first });
    return context.tenant(async (trx) => {
      const events = await listRunEvents(trx, run.uuid, afterSeq, limit);
      const total = await countRunEvents(trx, run.uuid);
      const edges = events.map((e) => ({ cursor: String(e.seq), node: RunEvent.from(e) }));
      const last = events.at(-1)?.seq ?? afterSeq;
      return {
        edges,
        totalCount: total,
        pageInfo: { hasNextPage: last < total, hasPreviousPage: afterSeq > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      };
    });
  }
}

function parseEventCursor(after: string | null | undefined): number {
  if (after === null || after === undefined || after === '') return 0;
  if (!/^\d{1,9}$/.test(after)) throw graphQLError('BAD_USER_INPUT', '`after` must be an event cursor (as returned in RunEvent.cursor)', 400);
  return Number(after);
}

@Resolver(() => Candidate)
export class CandidateResolver {
  @FieldResolver(() => CompressionRun, { description: 'The run that produced the candidate.' })
  async run(@Root() candidate: Candidate, @Ctx() context: ApiContext): Promise<CompressionRun> {
    return CompressionRun.from((await context.loaders.byId('compression_runs').load(candidate.runId))!);
  }

  @FieldResolver(() => CandidateDownloads, { description: 'Signed, short-lived download URLs (.tflite and TensorFlow.js).' })
  downloads(@Root() candidate: Candidate, @Ctx() context: ApiContext): CandidateDownloads {
    const auth = caller(context);
    const { signer, signedUrlTtlSeconds, publicUrl } = context.services;
    let expiresAt = new Date(Date.now() + signedUrlTtlSeconds * 1000);
    const url = (sha: string | null, filename: string) => {
      if (!sha) return null;
      const signed = signer.sign({ p: 'download', o: auth.orgId, s: sha, n: filename, k: auth.keyId }, signedUrlTtlSeconds);
      expiresAt = signed.expiresAt;
      return `${publicUrl()}/downloads/${signed.token}`;
    };
    const base = candidate.key.replace(/[^A-Za-z0-9._-]/g, '_');
    return { tflite: url(candidate.tfliteSha256, `${base}.tflite`), tfjs: url(candidate.tfjsSha256, `${base}-tfjs.zip`), expiresAt };
  }
}

@Resolver()
export class RunEventSubscription {
  @Authorized()
  @Subscription(() => RunEvent, {
    description: 'Events of a run: first the stored ones after `after`, then live ones, in order, each with its cursor. Completes after the run ends.',
    subscribe: ({ args, context }) => subscribeRunEvents(context as ApiContext, args.runId as string, (args.after as string | null) ?? null),
  })
  runEvents(
    @Root() event: StoredRunEvent,
    @Arg('runId', () => ID, { description: 'Run id.' }) _runId: string,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last event already seen.' }) _after: string | null,
  ): RunEvent {
    return RunEvent.from(event);
  }
}

/** Re-checks the key at subscribe time, then verifies the run is visible to the caller's org. */
async function subscribeRunEvents(context: ApiContext, runId: string, after: string | null): Promise<AsyncIterable<StoredRunEvent>> {
  const auth = caller(context);
  if (context.authorization !== undefined) {
    const current = await authenticate(context.services.database.db, context.authorization).catch(() => null);
    if (!current || current.keyId !== auth.keyId) throw graphQLError('UNAUTHENTICATED', 'the API key of this connection is no longer valid', 401);
  }
  if (context.session !== undefined) {
    const current = await authenticateSession(context.services, { token: context.session, csrf: false }).catch(() => null);
    if (!current || current.keyId !== auth.keyId) throw graphQLError('UNAUTHENTICATED', 'the console session of this connection is no longer valid', 401);
  }
  const afterSeq = parseEventCursor(after);
  const uuid = keyOf(runId, 'CompressionRun');
  const run = uuid ? await context.tenant((trx) => trx.selectFrom('compression_runs').select('id').where('id', '=', uuid).executeTakeFirst()) : undefined;
  if (!run) throw graphQLError('NOT_FOUND', 'run not found', 404);
  return endWhenKeyRevoked(context, auth.orgId, auth.keyId, context.services.hub.subscribe(auth.orgId, run.id, afterSeq));
}

/**
 * Ends a subscription with UNAUTHENTICATED as soon as the key it was opened with (directly or
 * through a console session) is revoked, or its console session is signed out, in any API process
 * (NOTIFY, services/events/revocations.ts); after a listener reconnect, when notices may have
 * been lost, the key and the session are checked again.
 */
function endWhenKeyRevoked<T>(context: ApiContext, orgId: string, keyId: string, inner: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let revoked = false;
  let wake: (() => void) | null = null;
  const revoke = (): void => {
    revoked = true;
    wake?.();
  };
  let signedOut = false;
  const signOut = (): void => {
    signedOut = true;
    revoke();
  };
  const nonce = context.session === undefined ? undefined : context.services.sessions.signer.verify(context.session)?.n;
  const recheck = (): void => {
    void withTenant(context.services.database.db, orgId, (trx) => trx.selectFrom('api_keys').select('id').where('id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst())
      .then((row) => { if (!row) revoke(); }, () => undefined);
    if (nonce !== undefined) void isSignedOut(context.services.database.db, nonce).then((out) => { if (out) signOut(); }, () => undefined);
  };
  const stopKey = context.services.hub.watchKey(keyId, revoke, recheck);
  const stopSession = nonce === undefined ? () => undefined : context.services.hub.watchSession(nonce, signOut);
  const stop = (): void => {
    stopKey();
    stopSession();
  };
  const revokedError = () => signedOut
    ? graphQLError('UNAUTHENTICATED', 'the console session of this subscription was signed out', 401)
    : graphQLError('UNAUTHENTICATED', 'the API key of this subscription was revoked', 401);
  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      if (revoked) {
        stop();
        await inner.return?.();
        throw revokedError();
      }
      const revocation = new Promise<'revoked'>((resolve) => { wake = () => resolve('revoked'); });
      const result = await Promise.race([inner.next(), revocation]);
      wake = null;
      if (result === 'revoked') {
        stop();
        await inner.return?.();
        throw revokedError();
      }
      if (result.done) stop();
      return result;
    },
    return: async () => {
      stop();
      return (await inner.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
