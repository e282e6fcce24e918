// GraphQL types of channel rollouts (services/delivery/rollout.ts).
import type { Selectable } from 'kysely';
import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import type { ChannelRolloutsTable } from '../../db/types/index.ts';
import { toGlobalId } from '../ids.ts';
import { DateTime } from './common.ts';

@ObjectType({ description: 'Which devices a rollout rule applies to; every given condition must hold.' })
@InputType('RolloutConditionsInput', { description: 'Which devices a rule applies to; omitted conditions match every device.' })
export class RolloutConditions {
  @Field(() => [String], { nullable: true, description: 'Platforms, e.g. android, ios, web (lower-case).' })
  platforms?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Semver range the app version must satisfy, e.g. ">=3.2.0 <4".' })
  appVersions?: string | null;

  @Field(() => [String], { nullable: true, description: 'Device classes, e.g. low-end, high-end (lower-case).' })
  deviceClasses?: string[] | null;
}

@ObjectType({ description: 'A share of the matching devices and the candidate they get.' })
export class RolloutSplit {
  @Field(() => ID, { description: 'Candidate id.' })
  candidateId!: string;

  @Field(() => Float, { description: 'Percent of the matching devices (a rule\'s weights sum to 100).' })
  weight!: number;
}

@InputType({ description: 'A share of the matching devices and the candidate they get.' })
export class RolloutSplitInput {
  @Field(() => ID, { description: 'Candidate id (succeeded, of this project).' })
  candidateId!: string;

  @Field(() => Float, { description: 'Percent of the matching devices, > 0, at most 2 decimals.' })
  weight!: number;
}

@ObjectType({ description: 'Conditions and weighted splits; the first rule a device matches applies.' })
export class RolloutRule {
  @Field(() => RolloutConditions, { description: 'Which devices.' })
  conditions!: RolloutConditions;

  @Field(() => [RolloutSplit], { description: 'Weighted candidates, in bucket order.' })
  splits!: RolloutSplit[];
}

@InputType({ description: 'Conditions and weighted splits.' })
export class RolloutRuleInput {
  @Field(() => RolloutConditions, { nullable: true, description: 'Which devices (default: all).' })
  conditions?: RolloutConditions | null;

  @Field(() => [RolloutSplitInput], { description: 'Weighted candidates; the first split holds the lowest buckets, so list the new model first to grow it 5 → 50 → 100 %.' })
  splits!: RolloutSplitInput[];
}

@ObjectType({ description: 'A rollout of a channel (history is kept; the newest is in force).' })
export class ChannelRollout {
  uuid!: string;

  @Field(() => ID, { description: 'Rollout id.' })
  id!: string;

  rollbackOfId!: string | null;

  @Field(() => String, { description: 'Channel name.' })
  channel!: string;

  @Field(() => [RolloutRule], { description: 'Rules in order; none = every device gets the channel\'s latest deployment.' })
  rules!: RolloutRule[];

  @Field(() => Boolean, { description: 'True when this rollout restored an earlier one.' })
  isRollback!: boolean;

  @Field(() => DateTime, { description: 'When it took effect.' })
  createdAt!: Date;

  static from(row: Selectable<ChannelRolloutsTable>): ChannelRollout {
    return Object.assign(new ChannelRollout(), {
      id: row.id, uuid: row.id, rollbackOfId: row.rollback_of, channel: row.channel, isRollback: row.rollback_of !== null,
      createdAt: row.created_at,
      rules: row.rules.map((r) => ({
        conditions: { platforms: r.conditions.platforms ?? null, appVersions: r.conditions.appVersions ?? null, deviceClasses: r.conditions.deviceClasses ?? null },
        splits: r.splits.map((s) => ({ candidateId: toGlobalId('Candidate', s.candidateId), weight: s.weight })),
      })),
    });
  }
}
