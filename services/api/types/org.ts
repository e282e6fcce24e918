// Organization-level object types.
import { Field, ObjectType } from 'type-graphql';
import { toGlobalId } from '../ids.ts';
import { DateTime, Node, Role } from './common.ts';

@ObjectType({ implements: Node, description: 'A tenant: everything in Condense belongs to exactly one organization.' })
export class Organization extends Node {
  uuid!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, { description: 'URL-safe unique identifier.' })
  slug!: string;

  @Field(() => DateTime, { description: 'When the organization was created.' })
  createdAt!: Date;

  static from(row: { id: string; name: string; slug: string; created_at: Date }): Organization {
    return Object.assign(new Organization(), { id: toGlobalId('Organization', row.id), uuid: row.id, name: row.name, slug: row.slug, createdAt: row.created_at });
  }
}

@ObjectType({ implements: Node, description: 'A group of members inside an organization; projects may belong to a team.' })
export class Team extends Node {
  uuid!: string;

  @Field(() => String, { description: 'Team name, unique in the organization.' })
  name!: string;

  @Field(() => DateTime, { description: 'When the team was created.' })
  createdAt!: Date;

  static from(row: { id: string; name: string; created_at: Date }): Team {
    return Object.assign(new Team(), { id: toGlobalId('Team', row.id), uuid: row.id, name: row.name, createdAt: row.created_at });
  }
}

@ObjectType({ implements: Node, description: 'A person\'s membership in the organization.' })
export class Member extends Node {
  userId!: string;

  @Field(() => String, { description: 'E-mail address of the person.' })
  email!: string;

  @Field(() => String, { description: 'Display name of the person.' })
  displayName!: string;

  @Field(() => Role, { description: 'Role in this organization.' })
  role!: Role;

  @Field(() => DateTime, { description: 'When the person joined.' })
  joinedAt!: Date;

  static from(row: { user_id: string; email: string; display_name: string; role: string; created_at: Date }): Member {
    return Object.assign(new Member(), {
      id: toGlobalId('Member', row.user_id), userId: row.user_id, email: row.email, displayName: row.display_name,
      role: row.role as Role, joinedAt: row.created_at,
    });
  }
}

@ObjectType({ implements: Node, description: 'An API key of a member; the secret is shown only once, at creation.' })
export class ApiKey extends Node {
  uuid!: string;
  userId!: string;

  @Field(() => String, { description: 'Name given at creation.' })
  name!: string;

  @Field(() => String, { description: 'Non-secret display prefix, e.g. "cnd_3fA9x2Qk".' })
  prefix!: string;

  @Field(() => [String], { description: 'Scopes granted to the key.' })
  scopes!: string[];

  @Field(() => DateTime, { description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the key was last used.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the key was revoked (null while active).' })
  revokedAt!: Date | null;

  static from(info: { id: string; userId: string; name: string; prefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): ApiKey {
    return Object.assign(new ApiKey(), {
      id: toGlobalId('ApiKey', info.id), uuid: info.id, userId: info.userId, name: info.name, prefix: info.prefix, scopes: info.scopes,
      createdAt: info.createdAt, lastUsedAt: info.lastUsedAt, revokedAt: info.revokedAt,
    });
  }
}

@ObjectType({ implements: Node, description: 'A per-project key an app uses to download the deployed model; secret shown once.' })
export class AppKey extends Node {
  uuid!: string;
  projectId!: string;

  @Field(() => String, { description: 'Name given at creation.' })
  name!: string;

  @Field(() => String, { description: 'Non-secret display prefix.' })
  prefix!: string;

  @Field(() => DateTime, { description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When an app last used the key.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the key was revoked.' })
  revokedAt!: Date | null;

  static from(row: { id: string; project_id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): AppKey {
    return Object.assign(new AppKey(), {
      id: toGlobalId('AppKey', row.id), uuid: row.id, projectId: row.project_id, name: row.name, prefix: row.prefix,
      createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
    });
  }
}

@ObjectType({ description: 'The caller: the member, organization and key behind the request.' })
export class Viewer {
  orgId!: string;
  userId!: string;
  keyId!: string;

  @Field(() => Role, { description: 'The caller\'s role in the organization.' })
  role!: Role;
}
