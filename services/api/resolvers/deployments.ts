// Deployments: publish a candidate to a project channel; roll a channel back to an earlier one.
// History is append-only: the newest deployment of a channel is what apps download.
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { loadProjectRow } from '../loaders.ts';
import { audit, mutate } from '../mutations.ts';
import { UserError } from '../types/common.ts';
import { Deployment, Project } from '../types/project.ts';
import { Candidate } from '../types/run.ts';

const CHANNEL = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The one rule for channel names (publish, rollouts): throws INVALID_INPUT on field `channel`. */
export function checkChannelName(channel: string): void {
  if (!CHANNEL.test(channel)) throw new UserFacingError('INVALID_INPUT', 'channel must be lower-case letters, digits, ".", "_" or "-" (at most 63)', 'channel');
}

@InputType({ description: 'Publish a candidate to a channel of its project.' })
class PublishCandidateInput {
  @Field(() => ID, { description: 'Candidate id (must have succeeded).' })
  candidateId!: string;

  @Field(() => String, { description: 'Channel name, e.g. production (lower-case letters, digits, . _ -).' })
  channel!: string;
}

@InputType({ description: 'Make an earlier deployment of a channel live again.' })
class RollbackDeploymentInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Channel name.' })
  channel!: string;

  @Field(() => ID, { nullable: true, description: 'Deployment to return to; default: the one before the current.' })
  toDeploymentId?: string | null;
}

@ObjectType({ description: 'Result of a deployment mutation.' })
class DeploymentPayload {
  @Field(() => Deployment, { nullable: true, description: 'The deployment that is now live.' })
  deployment?: Deployment | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@Resolver()
export class DeploymentMutations {
  @Authorized('MEMBER')
  @Mutation(() => DeploymentPayload, { description: 'Publish a candidate to a project channel; apps get it from the app endpoint.' })
  publishCandidate(@Arg('input', () => PublishCandidateInput, { description: 'Candidate and channel.' }) input: PublishCandidateInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        checkChannelName(input.channel);
        const id = keyOf(input.candidateId, 'Candidate');
        const candidate = id
          ? await trx.selectFrom('candidates as c').innerJoin('compression_runs as r', 'r.id', 'c.run_id').select(['c.id', 'c.status', 'c.tflite_sha256', 'r.project_id'])
              .where('c.id', '=', id).executeTakeFirst()
          : undefined;
        if (!candidate) throw new UserFacingError('NOT_FOUND', 'candidate not found', 'candidateId');
        if (candidate.status !== 'succeeded' || !candidate.tflite_sha256) throw new UserFacingError('INVALID_STATE', 'only a succeeded candidate with a .tflite file can be published', 'candidateId');
        const project = await loadProjectRow(trx, candidate.project_id);
        if (project?.archived_at) throw new UserFacingError('INVALID_STATE', 'the project is archived', 'candidateId');
        const row = await trx.insertInto('deployments').values({ org_id: auth.orgId, project_id: candidate.project_id, channel: input.channel, candidate_id: candidate.id, created_by: auth.userId })
          .returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'deployment.publish', { type: 'deployment', id: row.id }, { channel: input.channel, candidate: candidate.id });
        return { deployment: Deployment.from(row) };
      }),
    );
  }

  @Authorized('MEMBER')
  @Mutation(() => DeploymentPayload, { description: 'Roll a channel back: re-publishes an earlier deployment\'s candidate as a new, live deployment.' })
  rollbackDeployment(@Arg('input', () => RollbackDeploymentInput, { description: 'Channel and target.' }) input: RollbackDeploymentInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        const projectId = keyOf(input.projectId, 'Project');
        const project = projectId ? await loadProjectRow(trx, projectId) : undefined;
        if (!project) throw new UserFacingError('NOT_FOUND', 'project not found', 'projectId');
        const history = await trx.selectFrom('deployments').selectAll().where('project_id', '=', project.id).where('channel', '=', input.channel)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
        const current = history[0];
        if (!current) throw new UserFacingError('NOT_FOUND', `nothing was ever deployed to channel "${input.channel}"`, 'channel');
        let target;
        if (input.toDeploymentId) {
          const id = keyOf(input.toDeploymentId, 'Deployment');
          target = history.find((d) => d.id === id);
          if (!target) throw new UserFacingError('NOT_FOUND', 'deployment not found in this channel', 'toDeploymentId');
        } else {
          target = history.find((d) => d.candidate_id !== current.candidate_id);
          if (!target) throw new UserFacingError('INVALID_STATE', 'there is no earlier deployment to roll back to', 'channel');
        }
        const row = await trx.insertInto('deployments').values({
          org_id: auth.orgId, project_id: project.id, channel: input.channel, candidate_id: target.candidate_id, rollback_of: current.id, created_by: auth.userId,
        }).returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'deployment.rollback', { type: 'deployment', id: row.id }, { channel: input.channel, from: current.id, to: target.id });
        return { deployment: Deployment.from(row) };
      }),
    );
  }
}

@Resolver(() => Deployment)
export class DeploymentResolver {
  @FieldResolver(() => Candidate, { description: 'The candidate deployed.' })
  async candidate(@Root() deployment: Deployment, @Ctx() context: ApiContext): Promise<Candidate> {
    return Candidate.from((await context.loaders.byId('candidates').load(deployment.candidateId))!);
  }

  @FieldResolver(() => Project, { description: 'Project of the deployment.' })
  async project(@Root() deployment: Deployment, @Ctx() context: ApiContext): Promise<Project> {
    return Project.from((await context.loaders.byId('projects').load(deployment.projectId))!);
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'For a rollback: the deployment it replaced.' })
  async rollbackOf(@Root() deployment: Deployment, @Ctx() context: ApiContext): Promise<Deployment | null> {
    if (!deployment.rollbackOfId) return null;
    const row = await context.loaders.byId('deployments').load(deployment.rollbackOfId);
    return row ? Deployment.from(row) : null;
  }
}
