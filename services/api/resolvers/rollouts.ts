// Channel rollouts: set the weighted, targeted rules of a channel; roll back to the previous
// rules instantly; read the rules in force. Every change is a new row and an audit entry.
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { rolloutProblems, type RolloutRule } from '../../delivery/rollout.ts';
import { currentRollout } from '../../delivery/rollout-store.ts';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { loadProjectRow } from '../loaders.ts';
import { audit, mutate } from '../mutations.ts';
import { UserError } from '../types/common.ts';
import { Project } from '../types/project.ts';
import { ChannelRollout, RolloutRuleInput } from '../types/rollout.ts';
import { checkChannelName } from './deployments.ts';

@InputType({ description: 'Replace the rollout rules of a channel.' })
class SetChannelRolloutInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Channel name.' })
  channel!: string;

  @Field(() => [RolloutRuleInput], { description: 'Rules in order (first match applies); [] ends the rollout: every device gets the latest deployment.' })
  rules!: RolloutRuleInput[];
}

@InputType({ description: 'Restore the rules in force before the current ones.' })
class RollbackChannelRolloutInput {
  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Channel name.' })
  channel!: string;
}

@ObjectType({ description: 'Result of a rollout mutation.' })
class ChannelRolloutPayload {
  @Field(() => ChannelRollout, { nullable: true, description: 'The rollout now in force.' })
  rollout?: ChannelRollout | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@Resolver()
export class RolloutMutations {
  @Authorized('MEMBER')
  @Mutation(() => ChannelRolloutPayload, { description: 'Set a channel\'s staged rollout / A/B experiment / targeting; takes effect at the devices\' next request.' })
  setChannelRollout(@Arg('input', () => SetChannelRolloutInput, { description: 'Channel and rules.' }) input: SetChannelRolloutInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        checkChannelName(input.channel);
        const projectId = keyOf(input.projectId, 'Project');
        const project = projectId ? await loadProjectRow(trx, projectId) : undefined;
        if (!project) throw new UserFacingError('NOT_FOUND', 'project not found', 'projectId');
        if (project.archived_at) throw new UserFacingError('INVALID_STATE', 'the project is archived', 'projectId');
        const rules: RolloutRule[] = input.rules.map((r) => ({
          conditions: {
            ...(r.conditions?.platforms ? { platforms: r.conditions.platforms } : {}),
            ...(r.conditions?.appVersions ? { appVersions: r.conditions.appVersions } : {}),
            ...(r.conditions?.deviceClasses ? { deviceClasses: r.conditions.deviceClasses } : {}),
          },
          splits: r.splits.map((s) => ({ candidateId: keyOf(s.candidateId, 'Candidate') ?? '', weight: s.weight })),
        }));
        const problems = rolloutProblems(rules);
        if (problems.length) throw new UserFacingError('INVALID_INPUT', problems.join('; '), 'rules');
        const ids = [...new Set(rules.flatMap((r) => r.splits.map((s) => s.candidateId)))];
        const found = ids.length === 0 || ids.includes('') ? [] : await trx.selectFrom('candidates as c').innerJoin('compression_runs as r', 'r.id', 'c.run_id')
          .select(['c.id', 'c.status', 'c.tflite_sha256']).where('c.id', 'in', ids).where('r.project_id', '=', project.id).execute();
        const usable = new Set(found.filter((c) => c.status === 'succeeded' && c.tflite_sha256).map((c) => c.id));
        if (ids.some((id) => !usable.has(id))) throw new UserFacingError('INVALID_INPUT', 'every split must name a succeeded candidate of this project', 'rules');
        const row = await trx.insertInto('channel_rollouts').values({ org_id: auth.orgId, project_id: project.id, channel: input.channel, rules: JSON.stringify(rules), created_by: auth.userId })
          .returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'rollout.set', { type: 'channel_rollout', id: row.id }, { channel: input.channel, rules });
        return { rollout: ChannelRollout.from(row) };
      }),
    );
  }

  @Authorized('MEMBER')
  @Mutation(() => ChannelRolloutPayload, { description: 'Instantly restore the rules in force before the current ones (a new, audited rollout).' })
  rollbackChannelRollout(@Arg('input', () => RollbackChannelRolloutInput, { description: 'Channel.' }) input: RollbackChannelRolloutInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        const projectId = keyOf(input.projectId, 'Project');
        const project = projectId ? await loadProjectRow(trx, projectId) : undefined;
        if (!project) throw new UserFacingError('NOT_FOUND', 'project not found', 'projectId');
        const history = await trx.selectFrom('channel_rollouts').selectAll().where('project_id', '=', project.id).where('channel', '=', input.channel)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(2).execute();
        const current = history[0];
        if (!current) throw new UserFacingError('NOT_FOUND', `channel "${input.channel}" has no rollout`, 'channel');
        const previousRules = history[1]?.rules ?? [];
        const row = await trx.insertInto('channel_rollouts').values({
          org_id: auth.orgId, project_id: project.id, channel: input.channel, rules: JSON.stringify(previousRules), rollback_of: current.id, created_by: auth.userId,
        }).returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'rollout.rollback', { type: 'channel_rollout', id: row.id }, { channel: input.channel, from: current.id, to: history[1]?.id ?? null });
        return { rollout: ChannelRollout.from(row) };
      }),
    );
  }
}

@Resolver(() => Project)
export class ProjectRolloutResolver {
  @FieldResolver(() => ChannelRollout, { nullable: true, description: 'The rollout in force on a channel (null: none was ever set).' })
  async channelRollout(@Root() project: Project, @Arg('channel', () => String, { description: 'Channel name.' }) channel: string, @Ctx() context: ApiContext): Promise<ChannelRollout | null> {
    const row = await context.tenant((trx) => currentRollout(trx, project.uuid, channel));
    return row ? ChannelRollout.from(row) : null;
  }
}
