// GraphQL shape of the organization's audit log (table audit_log; written by recordAudit in the
// same transaction as the change it records).
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar } from './common.ts';

@ObjectType({ description: 'One audited change in the organization.' })
export class AuditEntry {
  @Field(() => ID, { description: 'Entry id.' })
  id!: string;

  @Field(() => String, { description: 'What happened, e.g. deployment.publish, member.add, apikey.revoke, rollout.set.' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'Display name of the member who did it (null: a server operator, or a person no longer a member).' })
  actorName!: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail of that member.' })
  actorEmail!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key the change was made with (null when none, or it was deleted).' })
  actorKeyName!: string | null;

  @Field(() => String, { nullable: true, description: 'Kind of object changed, e.g. deployment, membership, api_key.' })
  targetType!: string | null;

  @Field(() => String, { nullable: true, description: 'Id of the object changed (as stored).' })
  targetId!: string | null;

  @Field(() => JSONScalar, { description: 'Details of the change (a JSON object; which keys depends on the action).' })
  details!: Record<string, unknown>;

  @Field(() => DateTime, { description: 'When it happened.' })
  createdAt!: Date;
}
