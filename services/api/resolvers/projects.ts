// Projects and what hangs off them: models, datasets, runs, deployments, app keys.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { loadProjectRow } from '../loaders.ts';
import { audit, mutate } from '../mutations.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { PageArgs, UserError, connectionOf } from '../types/common.ts';
import { AppKey, Team } from '../types/org.ts';
import { Dataset, Deployment, Model, ModelVersion, Project } from '../types/project.ts';
import { CompressionRun } from '../types/run.ts';
import type { Selectable } from 'kysely';
import type { TenantTransaction } from '../../db/tenant.ts';
import type { DB } from '../../db/types/index.ts';
import type { ChildTable } from '../request-loaders.ts';

export const ModelConnection = connectionOf(Model, 'Model');
export const ModelVersionConnection = connectionOf(ModelVersion, 'ModelVersion');
export const DatasetConnection = connectionOf(Dataset, 'Dataset');
export const RunConnection = connectionOf(CompressionRun, 'CompressionRun');
export const DeploymentConnection = connectionOf(Deployment, 'Deployment');
const AppKeyConnection = connectionOf(AppKey, 'AppKey');

/** A page of a parent's children through the request's batched loader, as a connection. */
async function childConnection<T extends ChildTable, Node>(context: ApiContext, table: T, parentId: string, page: PageArgs, toNode: (row: Selectable<DB[T]>) => Node) {
  const window = pageWindow(page);
  const { rows, totalCount } = await context.loaders.childPage(table).load({ parentId, window });
  return toConnection(rows.map(toNode), window, totalCount);
}

@Resolver(() => Project)
export class ProjectResolver {
  @FieldResolver(() => Team, { nullable: true, description: 'Team the project belongs to.' })
  async team(@Root() project: Project, @Ctx() context: ApiContext): Promise<Team | null> {
    if (!project.teamId) return null;
    const row = await context.loaders.byId('teams').load(project.teamId);
    return row ? Team.from(row) : null;
  }

  @FieldResolver(() => ModelConnection, { description: 'Models, oldest first.' })
  models(@Root() project: Project, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    return childConnection(context, 'models', project.uuid, page, Model.from);
  }

  @FieldResolver(() => DatasetConnection, { description: 'Datasets, oldest first.' })
  datasets(@Root() project: Project, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    return childConnection(context, 'datasets', project.uuid, page, Dataset.from);
  }

  @FieldResolver(() => RunConnection, { description: 'Compression runs, oldest first.' })
  runs(@Root() project: Project, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    return childConnection(context, 'compression_runs', project.uuid, page, CompressionRun.from);
  }

  @Authorized('ADMIN')
  @FieldResolver(() => AppKeyConnection, { description: 'App keys of the project (admins and owners only).' })
  appKeys(@Root() project: Project, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    return childConnection(context, 'app_keys', project.uuid, page, AppKey.from);
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'What is live on a channel now (the newest deployment).' })
  async deployment(@Root() project: Project, @Arg('channel', () => String, { description: 'Channel name.' }) channel: string, @Ctx() context: ApiContext) {
    const row = await context.tenant((trx) =>
      trx.selectFrom('deployments').selectAll().where('project_id', '=', project.uuid).where('channel', '=', channel)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),
    );
    return row ? Deployment.from(row) : null;
  }

  @FieldResolver(() => DeploymentConnection, { description: 'Deployment history, newest first, optionally of one channel.' })
  deployments(
    @Root() project: Project,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('channel', () => String, { nullable: true, description: 'Only this channel.' }) channel: string | null,
    @Ctx() context: ApiContext,
  ) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      let base = trx.selectFrom('deployments').where('project_id', '=', project.uuid);
      if (channel) base = base.where('channel', '=', channel);
      const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').offset(window.offset).limit(window.limit).execute();
      const count = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(Deployment.from), window, Number(count.n));
    });
  }
}

@InputType({ description: 'Create a project.' })
class CreateProjectInput {
  @Field(() => String, { description: 'Name, unique among active projects.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Description.' })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'Team that owns the project.' })
  teamId?: string | null;
}

@InputType({ description: 'Change a project\'s name or description.' })
class UpdateProjectInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'New description.' })
  description?: string | null;
}

@InputType({ description: 'Archive a project (it stays readable; its name becomes free).' })
class ArchiveProjectInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;
}

@ObjectType({ description: 'Result of a project mutation.' })
class ProjectPayload {
  @Field(() => Project, { nullable: true, description: 'The project after the change.' })
  project?: Project | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Create a key an app uses to download a project\'s deployed model.' })
class CreateAppKeyInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Name, e.g. "android app".' })
  name!: string;
}

@ObjectType({ description: 'Result of createAppKey; the secret is shown only here, once.' })
class CreateAppKeyPayload {
  @Field(() => AppKey, { nullable: true, description: 'The new key.' })
  appKey?: AppKey | null;

  @Field(() => String, { nullable: true, description: 'The secret (send as "Authorization: Bearer <secret>" to the app endpoint).' })
  secret?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Revoke an app key.' })
class RevokeAppKeyInput {
  @Field(() => ID, { description: 'App key id.' })
  appKeyId!: string;
}

@ObjectType({ description: 'Result of revokeAppKey.' })
class RevokeAppKeyPayload {
  @Field(() => AppKey, { nullable: true, description: 'The revoked key.' })
  appKey?: AppKey | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200) throw new UserFacingError('INVALID_INPUT', 'name must be 1 to 200 characters', 'name');
  return trimmed;
}

/** The active project behind an id, or NOT_FOUND on `field`. */
export async function requireProject(trx: TenantTransaction, id: string, field = 'projectId', allowArchived = false) {
  const uuid = keyOf(id, 'Project');
  const row = uuid ? await loadProjectRow(trx, uuid) : undefined;
  if (!row) throw new UserFacingError('NOT_FOUND', 'project not found', field);
  if (row.archived_at && !allowArchived) throw new UserFacingError('INVALID_STATE', 'the project is archived', field);
  return row;
}

export function hashAppKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

@Resolver()
export class ProjectMutations {
  @Authorized('MEMBER')
  @Mutation(() => ProjectPayload, { description: 'Create a project.' })
  createProject(@Arg('input', () => CreateProjectInput, { description: 'Project fields.' }) input: CreateProjectInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        let teamId: string | null = null;
        if (input.teamId) {
          teamId = keyOf(input.teamId, 'Team');
          const team = teamId ? await trx.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst() : undefined;
          if (!team) throw new UserFacingError('NOT_FOUND', 'team not found', 'teamId');
        }
        // The id is made here so the audit row can go in the same round trip as the insert (a
        // failed insert stops the audit row with it: one transaction).
        const id = randomUUID();
        const name = checkedName(input.name);
        const [row] = await Promise.all([
          trx.insertInto('projects').values({ id, org_id: auth.orgId, name, description: input.description ?? '', team_id: teamId }).returningAll().executeTakeFirstOrThrow(),
          audit(trx, context, 'project.create', { type: 'project', id }, { name }),
        ]);
        return { project: Project.from(row) };
      }),
    );
  }

  @Authorized('MEMBER')
  @Mutation(() => ProjectPayload, { description: 'Rename or re-describe a project.' })
  updateProject(@Arg('input', () => UpdateProjectInput, { description: 'Changes.' }) input: UpdateProjectInput, @Ctx() context: ApiContext) {
    return mutate(() =>
      context.tenant(async (trx) => {
        const project = await requireProject(trx, input.projectId);
        const changes: { name?: string; description?: string } = {};
        if (input.name != null) changes.name = checkedName(input.name);
        if (input.description != null) changes.description = input.description;
        if (Object.keys(changes).length === 0) return { project: Project.from(project) };
        const row = await trx.updateTable('projects').set(changes).where('id', '=', project.id).returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'project.update', { type: 'project', id: row.id }, changes);
        return { project: Project.from(row) };
      }),
    );
  }

  @Authorized('MEMBER')
  @Mutation(() => ProjectPayload, { description: 'Archive a project.' })
  archiveProject(@Arg('input', () => ArchiveProjectInput, { description: 'Project to archive.' }) input: ArchiveProjectInput, @Ctx() context: ApiContext) {
    return mutate(() =>
      context.tenant(async (trx) => {
        const project = await requireProject(trx, input.projectId);
        const row = await trx.updateTable('projects').set({ archived_at: new Date() }).where('id', '=', project.id).returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'project.archive', { type: 'project', id: row.id });
        return { project: Project.from(row) };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateAppKeyPayload, { description: 'Create an app key for a project; returns the secret once.' })
  createAppKey(@Arg('input', () => CreateAppKeyInput, { description: 'Project and name.' }) input: CreateAppKeyInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        const project = await requireProject(trx, input.projectId);
        const secret = `cnda_${randomBytes(30).toString('base64url')}`;
        const row = await trx.insertInto('app_keys')
          .values({ org_id: auth.orgId, project_id: project.id, name: checkedName(input.name), prefix: secret.slice(0, 13), secret_hash: hashAppKeySecret(secret), created_by: auth.userId })
          .returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'app_key.create', { type: 'app_key', id: row.id }, { project: project.id });
        return { appKey: AppKey.from(row), secret };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => RevokeAppKeyPayload, { description: 'Revoke an app key.' })
  revokeAppKey(@Arg('input', () => RevokeAppKeyInput, { description: 'Key to revoke.' }) input: RevokeAppKeyInput, @Ctx() context: ApiContext) {
    return mutate(() =>
      context.tenant(async (trx) => {
        const id = keyOf(input.appKeyId, 'AppKey');
        const row = id
          ? await trx.updateTable('app_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst()
          : undefined;
        if (!row) throw new UserFacingError('NOT_FOUND', 'active app key not found', 'appKeyId');
        await audit(trx, context, 'app_key.revoke', { type: 'app_key', id: row.id });
        return { appKey: AppKey.from(row) };
      }),
    );
  }
}

@Resolver(() => Model)
export class ModelResolver {
  @FieldResolver(() => Project, { description: 'Project of the model.' })
  async project(@Root() model: Model, @Ctx() context: ApiContext): Promise<Project> {
    return Project.from((await context.loaders.byId('projects').load(model.projectId))!);
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Versions, oldest first.' })
  versions(@Root() model: Model, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    return childConnection(context, 'model_versions', model.uuid, page, ModelVersion.from);
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @FieldResolver(() => Model, { description: 'The model this is a version of.' })
  async model(@Root() version: ModelVersion, @Ctx() context: ApiContext): Promise<Model> {
    return Model.from((await context.loaders.byId('models').load(version.modelId))!);
  }
}

@Resolver(() => Dataset)
export class DatasetResolver {
  @FieldResolver(() => Project, { description: 'Project of the dataset.' })
  async project(@Root() dataset: Dataset, @Ctx() context: ApiContext): Promise<Project> {
    return Project.from((await context.loaders.byId('projects').load(dataset.projectId))!);
  }
}
