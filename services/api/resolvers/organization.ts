// Organization, teams, members and API keys.
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { announceRevokedKeys } from '../../events/revocations.ts';
import { createApiKey, createInvitation, removeMember, revokeApiKey } from '../../tenancy/index.ts';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { isScope, SCOPES } from '../scopes.ts';
import { apiKeyFromRow, loadMember } from '../loaders.ts';
import { audit, mutate } from '../mutations.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { PageArgs, Role, UserError, connectionOf } from '../types/common.ts';
import { ApiKey, Member, Organization, Team } from '../types/org.ts';
import { Invitation } from './invitations.ts';

const TeamConnection = connectionOf(Team, 'Team');
const MemberConnection = connectionOf(Member, 'Member');
const ApiKeyConnection = connectionOf(ApiKey, 'ApiKey');

@Resolver(() => Organization)
export class OrganizationResolver {
  @FieldResolver(() => TeamConnection, { description: 'Teams, oldest first.' })
  teams(@Root() org: Organization, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      const rows = await trx.selectFrom('teams').selectAll().orderBy('created_at').orderBy('id').offset(window.offset).limit(window.limit).execute();
      const count = await trx.selectFrom('teams').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(Team.from), window, Number(count.n));
    });
  }

  @FieldResolver(() => MemberConnection, { description: 'Members, oldest first.' })
  members(@Root() org: Organization, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      const rows = await trx
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.user_id', 'u.email', 'm.display_name', 'm.role', 'm.created_at'])
        .orderBy('m.created_at').orderBy('m.user_id').offset(window.offset).limit(window.limit).execute();
      const count = await trx.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(Member.from), window, Number(count.n));
    });
  }

  @Authorized('ADMIN')
  @FieldResolver(() => ApiKeyConnection, { description: 'API keys of all members (admins and owners only); secrets are never shown.' })
  apiKeys(@Root() org: Organization, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      const rows = await trx.selectFrom('api_keys').select(['id', 'user_id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
        .orderBy('created_at').orderBy('id').offset(window.offset).limit(window.limit).execute();
      const count = await trx.selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(apiKeyFromRow), window, Number(count.n));
    });
  }
}

@Resolver(() => Team)
export class TeamResolver {
  @FieldResolver(() => MemberConnection, { description: 'Members of the team, oldest first.' })
  members(@Root() team: Team, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      const base = trx.selectFrom('team_members as t').innerJoin('memberships as m', 'm.user_id', 't.user_id').innerJoin('users as u', 'u.id', 't.user_id')
        .where('t.team_id', '=', team.uuid);
      const rows = await base.select(['m.user_id', 'u.email', 'm.display_name', 'm.role', 'm.created_at'])
        .orderBy('t.created_at').orderBy('t.user_id').offset(window.offset).limit(window.limit).execute();
      const count = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map(Member.from), window, Number(count.n));
    });
  }
}

@InputType({ description: 'Add a member to a team, or remove them.' })
class TeamMemberInput {
  @Field(() => ID, { description: 'Team id.' })
  teamId!: string;

  @Field(() => ID, { description: 'Member id.' })
  memberId!: string;
}

@InputType({ description: 'Invite a person by e-mail. They become a member only when they accept.' })
class InviteMemberInput {
  @Field(() => String, { description: 'E-mail address.' })
  email!: string;

  @Field(() => String, { nullable: true, description: 'Display name (what this organization will call them).' })
  displayName?: string | null;

  @Field(() => Role, { description: 'Role offered.' })
  role!: Role;

  @Field(() => Int, { nullable: true, description: 'Days until the invitation expires (1 to 30, default 7).' })
  expiresInDays?: number | null;
}

@ObjectType({ description: 'Result of inviteMember: a pending invitation, and its one-time token.' })
class InviteMemberPayload {
  @Field(() => Invitation, { nullable: true, description: 'The pending invitation.' })
  invitation?: Invitation | null;

  @Field(() => String, { nullable: true, description: 'One-time token to pass on to the person (acceptInvitation(input: { token })): for someone without an API key yet. Shown only here, once. People with a key can also find the invitation with myInvitations.' })
  token?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Change a member\'s role.' })
class ChangeMemberRoleInput {
  @Field(() => ID, { description: 'Member id.' })
  memberId!: string;

  @Field(() => Role, { description: 'New role.' })
  role!: Role;
}

@InputType({ description: 'Remove a member from the organization (their keys stop working).' })
class RemoveMemberInput {
  @Field(() => ID, { description: 'Member id.' })
  memberId!: string;
}

@ObjectType({ description: 'Result of a member mutation.' })
class MemberPayload {
  @Field(() => Member, { nullable: true, description: 'The member after the change.' })
  member?: Member | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of removeMember.' })
class RemoveMemberPayload {
  @Field(() => ID, { nullable: true, description: 'Id of the removed member.' })
  removedMemberId?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Create a team.' })
class CreateTeamInput {
  @Field(() => String, { description: 'Team name.' })
  name!: string;
}

@ObjectType({ description: 'Result of createTeam.' })
class TeamPayload {
  @Field(() => Team, { nullable: true, description: 'The new team.' })
  team?: Team | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of addTeamMember / removeTeamMember.' })
class TeamMemberPayload {
  @Field(() => Team, { nullable: true, description: 'The team after the change.' })
  team?: Team | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Create an API key.' })
class CreateApiKeyInput {
  @Field(() => String, { description: 'Name to tell keys apart.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Member who will hold the key (default: the caller). The key acts with that member\'s role.' })
  memberId?: string | null;

  @Field(() => [String], { nullable: true, description: 'What the key may do: any of read (queries, subscriptions, downloads), write (uploads, projects), runs (start, cancel, retry), deploy (publish, rollouts, app keys), admin (members, teams, API keys). Empty or absent: everything the holder\'s role allows. Scopes never widen the role.' })
  scopes?: string[] | null;
}

@ObjectType({ description: 'Result of createApiKey. The secret is shown only here, once.' })
class CreateApiKeyPayload {
  @Field(() => ApiKey, { nullable: true, description: 'The new key.' })
  apiKey?: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'The secret (send as "Authorization: Bearer <secret>"). Store it now: it cannot be shown again.' })
  secret?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Revoke an API key.' })
class RevokeApiKeyInput {
  @Field(() => ID, { description: 'Key id.' })
  apiKeyId!: string;
}

@ObjectType({ description: 'Result of revokeApiKey.' })
class RevokeApiKeyPayload {
  @Field(() => ApiKey, { nullable: true, description: 'The revoked key.' })
  apiKey?: ApiKey | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

const notFound = (field: string, what: string) => new UserFacingError('NOT_FOUND', `${what} not found`, field);

@Resolver()
export class OrganizationMutations {
  @Authorized('ADMIN')
  @Mutation(() => InviteMemberPayload, { description: 'Invite a person: a pending invitation they accept (or decline); until then they are not a member and learn only this organization\'s name and the role. Re-inviting an address replaces its pending invitation.' })
  inviteMember(@Arg('input', () => InviteMemberInput, { description: 'Who and with which role.' }) input: InviteMemberInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        if (input.role === Role.OWNER && auth.role !== 'owner') throw new UserFacingError('FORBIDDEN', 'only owners can make owners', 'role');
        const existing = await trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select('m.role')
          .where('u.email', '=', input.email.trim().toLowerCase()).executeTakeFirst();
        if (existing) throw new UserFacingError('ALREADY_EXISTS', 'that person is already a member; use changeMemberRole', 'email');
        const { invitation, token } = await createInvitation(trx, {
          orgId: auth.orgId, email: input.email, displayName: input.displayName ?? undefined, role: input.role,
          invitedByUserId: auth.userId, ...(input.expiresInDays != null ? { days: input.expiresInDays } : {}),
        });
        await audit(trx, context, 'member.invite', { type: 'invitation', id: invitation.id }, { role: invitation.role, email: invitation.email });
        return { invitation: Invitation.from(invitation), token };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => MemberPayload, { description: 'Change a member\'s role. Only owners grant or take away the owner role; the last owner stays owner.' })
  changeMemberRole(@Arg('input', () => ChangeMemberRoleInput, { description: 'Member and new role.' }) input: ChangeMemberRoleInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return clearingAuth(context, () =>
      context.tenant(async (trx) => {
        const userId = keyOf(input.memberId, 'Member');
        const member = userId ? await loadMember(trx, userId) : null;
        if (!member) throw notFound('memberId', 'member');
        if ((member.role === Role.OWNER || input.role === Role.OWNER) && auth.role !== 'owner') {
          throw new UserFacingError('FORBIDDEN', 'only owners can grant or take away the owner role', 'role');
        }
        if (member.role === Role.OWNER && input.role !== Role.OWNER) await assertNotLastOwner(trx);
        await trx.updateTable('memberships').set({ role: input.role }).where('user_id', '=', member.userId).execute();
        context.services.authCache.clear();
        await audit(trx, context, 'member.change_role', { type: 'user', id: member.userId }, { from: member.role, to: input.role });
        return { member: await loadMember(trx, member.userId) };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => RemoveMemberPayload, { description: 'Remove a member; their API keys for this organization are deleted with the membership.' })
  removeMember(@Arg('input', () => RemoveMemberInput, { description: 'Member to remove.' }) input: RemoveMemberInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return clearingAuth(context, () =>
      context.tenant(async (trx) => {
        const userId = keyOf(input.memberId, 'Member');
        const member = userId ? await loadMember(trx, userId) : null;
        if (!member) throw notFound('memberId', 'member');
        if (member.role === Role.OWNER) {
          if (auth.role !== 'owner') throw new UserFacingError('FORBIDDEN', 'only owners can remove owners', 'memberId');
          await assertNotLastOwner(trx);
        }
        // Record first: the actor may be removing themselves, and the audit row references no FK.
        context.services.authCache.clear();
        await audit(trx, context, 'member.remove', { type: 'user', id: member.userId }, { role: member.role });
        const keys = await trx.selectFrom('api_keys').select('id').where('user_id', '=', member.userId).execute();
        await removeMember(trx, member.userId);
        await announceRevokedKeys(trx, keys.map((k) => k.id));
        return { removedMemberId: member.id };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => TeamPayload, { description: 'Create a team.' })
  createTeam(@Arg('input', () => CreateTeamInput, { description: 'Team name.' }) input: CreateTeamInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        const name = input.name.trim();
        if (name.length < 1 || name.length > 200) throw new UserFacingError('INVALID_INPUT', 'name must be 1 to 200 characters', 'name');
        const row = await trx.insertInto('teams').values({ org_id: auth.orgId, name }).returningAll().executeTakeFirstOrThrow();
        await audit(trx, context, 'team.create', { type: 'team', id: row.id });
        return { team: Team.from(row) };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => TeamMemberPayload, { description: 'Add a member of the organization to a team.' })
  addTeamMember(@Arg('input', () => TeamMemberInput, { description: 'Team and member.' }) input: TeamMemberInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        const { team, member } = await teamAndMember(trx, input);
        await trx.insertInto('team_members').values({ org_id: auth.orgId, team_id: team.id, user_id: member.userId })
          .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing()).execute();
        await audit(trx, context, 'team.add_member', { type: 'team', id: team.id }, { user: member.userId });
        return { team: Team.from(team) };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => TeamMemberPayload, { description: 'Remove a member from a team (they stay in the organization).' })
  removeTeamMember(@Arg('input', () => TeamMemberInput, { description: 'Team and member.' }) input: TeamMemberInput, @Ctx() context: ApiContext) {
    return mutate(() =>
      context.tenant(async (trx) => {
        const { team, member } = await teamAndMember(trx, input);
        const removed = await trx.deleteFrom('team_members').where('team_id', '=', team.id).where('user_id', '=', member.userId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) throw new UserFacingError('NOT_FOUND', 'that member is not in the team', 'memberId');
        await audit(trx, context, 'team.remove_member', { type: 'team', id: team.id }, { user: member.userId });
        return { team: Team.from(team) };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateApiKeyPayload, { description: 'Create an API key; returns the secret once.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput, { description: 'Key name and holder.' }) input: CreateApiKeyInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(() =>
      context.tenant(async (trx) => {
        let userId = auth.userId;
        if (input.memberId) {
          const id = keyOf(input.memberId, 'Member');
          const member = id ? await loadMember(trx, id) : null;
          if (!member) throw notFound('memberId', 'member');
          if (member.role === Role.OWNER && auth.role !== 'owner') throw new UserFacingError('FORBIDDEN', 'only owners can create keys for owners', 'memberId');
          userId = member.userId;
        }
        const scopes = [...new Set(input.scopes ?? [])];
        const unknown = scopes.filter((scope) => !isScope(scope));
        if (unknown.length) throw new UserFacingError('INVALID_INPUT', `unknown scope ${unknown.map((u) => JSON.stringify(u.slice(0, 40))).join(', ')}; scopes are ${SCOPES.join(', ')}`, 'scopes');
        // A scoped key cannot mint a key that may do more than itself.
        if (auth.scopes.length > 0 && (scopes.length === 0 || scopes.some((scope) => !auth.scopes.includes(scope)))) {
          throw new UserFacingError('FORBIDDEN', `this API key may only create keys within its own scopes (${auth.scopes.join(', ')})`, 'scopes');
        }
        const created = await createApiKey(trx, { orgId: auth.orgId, userId, name: input.name, scopes });
        await audit(trx, context, 'api_key.create', { type: 'api_key', id: created.key.id }, { holder: userId });
        return { apiKey: ApiKey.from(created.key), secret: created.secret };
      }),
    );
  }

  @Authorized('ADMIN')
  @Mutation(() => RevokeApiKeyPayload, { description: 'Revoke an API key; it stops working immediately (also for open subscriptions).' })
  revokeApiKey(@Arg('input', () => RevokeApiKeyInput, { description: 'Key to revoke.' }) input: RevokeApiKeyInput, @Ctx() context: ApiContext) {
    return clearingAuth(context, () =>
      context.tenant(async (trx) => {
        const id = keyOf(input.apiKeyId, 'ApiKey');
        if (!id) throw notFound('apiKeyId', 'active API key');
        // An admin must not lock the owners out: owners' keys are revoked by owners only.
        const holder = await trx.selectFrom('api_keys as k').innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'k.user_id').onRef('m.org_id', '=', 'k.org_id'))
          .select('m.role').where('k.id', '=', id).executeTakeFirst();
        if (holder?.role === 'owner' && caller(context).role !== 'owner') throw new UserFacingError('FORBIDDEN', 'only an owner can revoke an owner\'s API key', 'apiKeyId');
        if (!(await revokeApiKey(trx, id))) throw notFound('apiKeyId', 'active API key');
        await announceRevokedKeys(trx, [id]);
        context.services.authCache.clear();
        await audit(trx, context, 'api_key.revoke', { type: 'api_key', id });
        const row = await trx.selectFrom('api_keys').select(['id', 'user_id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
          .where('id', '=', id).executeTakeFirstOrThrow();
        return { apiKey: apiKeyFromRow(row) };
      }),
    );
  }
}

async function assertNotLastOwner(trx: Parameters<Parameters<ApiContext['tenant']>[0]>[0]): Promise<void> {
  const owners = await trx.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('role', '=', 'owner').executeTakeFirstOrThrow();
  if (Number(owners.n) <= 1) throw new UserFacingError('LAST_OWNER', 'an organization keeps at least one owner', 'memberId');
}

/** Runs a mutation that changes who may do what; verified-key caches are dropped after it commits. */
async function clearingAuth<T extends object>(context: ApiContext, body: () => Promise<T>) {
  try {
    return await mutate(body);
  } finally {
    context.services.authCache.clear();
  }
}

async function teamAndMember(trx: Parameters<Parameters<ApiContext['tenant']>[0]>[0], input: { teamId: string; memberId: string }) {
  const teamId = keyOf(input.teamId, 'Team');
  const team = teamId ? await trx.selectFrom('teams').selectAll().where('id', '=', teamId).executeTakeFirst() : undefined;
  if (!team) throw notFound('teamId', 'team');
  const userId = keyOf(input.memberId, 'Member');
  const member = userId ? await loadMember(trx, userId) : null;
  if (!member) throw notFound('memberId', 'member');
  return { team, member };
}
