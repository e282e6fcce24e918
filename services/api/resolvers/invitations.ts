// Invitations with consent (services/tenancy/invitations.ts): admins invite (inviteMember, in
// organization.ts), list and revoke their organization's invitations; the invitee lists the
// invitations addressed to their e-mail (myInvitations: the organization's name and the role,
// nothing else) and accepts or declines them — with an API key of theirs, or, for a person with
// no key yet, with the invitation's one-time token (no API key needed).
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import {
  acceptInvitation, declineInvitation, emailOfUser, InvitationError, listReceivedInvitations, revokeInvitation, type InvitationRef, type InvitationRow,
} from '../../tenancy/index.ts';
import { caller, type ApiContext } from '../context.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf, toGlobalId } from '../ids.ts';
import { audit, mutate } from '../mutations.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { DateTime, Node, PageArgs, Role, UserError, connectionOf } from '../types/common.ts';
import { ApiKey, Organization } from '../types/org.ts';

export enum InvitationStatus {
  PENDING = 'pending',
  ACCEPTED = 'accepted',
  DECLINED = 'declined',
  REVOKED = 'revoked',
  EXPIRED = 'expired',
}
registerEnumType(InvitationStatus, { name: 'InvitationStatus', description: 'Where an invitation stands. EXPIRED: pending past its expiry (it can no longer be accepted).' });

@ObjectType({ implements: Node, description: 'An invitation of this organization (admins and owners only). The person becomes a member only by accepting it.' })
export class Invitation extends Node {
  @Field(() => String, { description: 'E-mail address invited.' })
  email!: string;

  @Field(() => String, { description: 'The name the inviter gave (the membership\'s display name once accepted).' })
  displayName!: string;

  @Field(() => Role, { description: 'Role offered.' })
  role!: Role;

  @Field(() => InvitationStatus, { description: 'Where it stands.' })
  status!: InvitationStatus;

  @Field(() => DateTime, { description: 'When it was sent.' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'When it expires (or expired).' })
  expiresAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it was accepted, declined or revoked.' })
  respondedAt?: Date | null;

  static from(row: InvitationRow): Invitation {
    const expired = row.status === 'pending' && row.expires_at.getTime() <= Date.now();
    return Object.assign(new Invitation(), {
      id: toGlobalId('Invitation', row.id), email: row.email, displayName: row.display_name, role: row.role as Role,
      status: expired ? InvitationStatus.EXPIRED : (row.status as InvitationStatus), createdAt: row.created_at, expiresAt: row.expires_at, respondedAt: row.responded_at,
    });
  }
}

@ObjectType({ description: 'An invitation addressed to you: all it tells before you accept is the organization\'s name and the role offered.' })
export class ReceivedInvitation {
  @Field(() => ID, { description: 'Invitation id (for acceptInvitation / declineInvitation).' })
  id!: string;

  @Field(() => String, { description: 'Name of the inviting organization.' })
  organizationName!: string;

  @Field(() => Role, { description: 'Role offered.' })
  role!: Role;

  @Field(() => DateTime, { description: 'When it expires.' })
  expiresAt!: Date;
}

const InvitationConnection = connectionOf(Invitation, 'Invitation');

@InputType({ description: 'Which invitation: its id (with an API key of the invited person) or its one-time token (no key needed).' })
class InvitationAnswerInput {
  @Field(() => ID, { nullable: true, description: 'Id from myInvitations (needs an API key of the invited e-mail address).' })
  invitationId?: string | null;

  @Field(() => String, { nullable: true, description: 'The one-time token the inviter passed on (cnd_inv_…).' })
  token?: string | null;
}

@ObjectType({ description: 'Result of acceptInvitation.' })
class AcceptInvitationPayload {
  @Field(() => String, { nullable: true, description: 'Name of the organization you joined.' })
  organizationName?: string | null;

  @Field(() => Role, { nullable: true, description: 'Your role there.' })
  role?: Role | null;

  @Field(() => ApiKey, { nullable: true, description: 'A new API key of yours for that organization.' })
  apiKey?: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'Its secret (send as "Authorization: Bearer <secret>"). Shown only here, once.' })
  secret?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Result of declineInvitation.' })
class DeclineInvitationPayload {
  @Field(() => Boolean, { description: 'True when the invitation was declined.' })
  declined!: boolean;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Revoke a pending invitation.' })
class RevokeInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' })
  invitationId!: string;
}

@ObjectType({ description: 'Result of revokeInvitation.' })
class RevokeInvitationPayload {
  @Field(() => ID, { nullable: true, description: 'Id of the revoked invitation.' })
  revokedInvitationId?: string | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@Resolver(() => Organization)
export class OrganizationInvitationsResolver {
  @Authorized('ADMIN')
  @FieldResolver(() => InvitationConnection, { description: 'Invitations of this organization, newest first (admins and owners only).' })
  invitations(
    @Root() _org: Organization,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('pendingOnly', () => Boolean, { defaultValue: true, description: 'Only invitations that can still be accepted.' }) pendingOnly: boolean,
    @Ctx() context: ApiContext,
  ) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      let base = trx.selectFrom('invitations');
      if (pendingOnly) base = base.where('status', '=', 'pending').where('expires_at', '>', new Date());
      const rows = await base.select(['id', 'email', 'display_name', 'role', 'status', 'created_at', 'expires_at', 'responded_at'])
        .orderBy('created_at', 'desc').orderBy('id').offset(window.offset).limit(window.limit).execute();
      const count = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map((r) => Invitation.from(r as InvitationRow)), window, Number(count.n));
    });
  }
}

function refOf(input: InvitationAnswerInput, context: ApiContext, email: string | null): InvitationRef {
  if (input.token) return { token: input.token.trim() };
  if (!input.invitationId) throw new UserFacingError('INVALID_INPUT', 'give invitationId (with your API key) or token', 'invitationId');
  if (!context.auth || !email) throw new UserFacingError('UNAUTHENTICATED', 'answering by invitationId needs an API key of the invited person; use the token otherwise', 'invitationId');
  const id = keyOf(input.invitationId, 'Invitation');
  if (!id) throw new UserFacingError('NOT_FOUND', 'no pending invitation for you with that id or token', 'invitationId');
  return { invitationId: id, email };
}

async function answering<T extends object>(context: ApiContext, input: InvitationAnswerInput, body: (ref: InvitationRef) => Promise<T>) {
  return mutate(async () => {
    const email = context.auth ? await emailOfUser(context.services.database.db, context.auth.userId) : null;
    try {
      return await body(refOf(input, context, email));
    } catch (error) {
      if (error instanceof InvitationError) throw new UserFacingError(error.code === 'EXPIRED' ? 'INVITATION_EXPIRED' : 'NOT_FOUND', error.message, input.token ? 'token' : 'invitationId');
      throw error;
    }
  });
}

@Resolver()
export class InvitationMutations {
  @Authorized()
  @Query(() => [ReceivedInvitation], { description: 'Pending invitations addressed to the e-mail address of your API key\'s holder, in any organization.' })
  async myInvitations(@Ctx() context: ApiContext): Promise<ReceivedInvitation[]> {
    const email = await emailOfUser(context.services.database.db, caller(context).userId);
    if (!email) return [];
    return (await listReceivedInvitations(context.services.database.db, email)).map((r) => Object.assign(new ReceivedInvitation(), {
      id: toGlobalId('Invitation', r.id), organizationName: r.organizationName, role: r.role as Role, expiresAt: r.expiresAt,
    }));
  }

  @Mutation(() => AcceptInvitationPayload, { description: 'Accept an invitation: you become a member with the role offered and get an API key for that organization. By id with an API key of the invited person, or by token without one.' })
  acceptInvitation(@Arg('input', () => InvitationAnswerInput, { description: 'Which invitation.' }) input: InvitationAnswerInput, @Ctx() context: ApiContext) {
    return answering(context, input, async (ref) => {
      const accepted = await acceptInvitation(context.services.database.db, ref);
      const key = accepted.apiKey.key;
      return {
        organizationName: accepted.organizationName,
        role: accepted.role as Role,
        apiKey: ApiKey.from(key),
        secret: accepted.apiKey.secret,
      };
    });
  }

  @Mutation(() => DeclineInvitationPayload, { description: 'Decline an invitation (by id with an API key of the invited person, or by token).' })
  declineInvitation(@Arg('input', () => InvitationAnswerInput, { description: 'Which invitation.' }) input: InvitationAnswerInput, @Ctx() context: ApiContext) {
    return answering(context, input, async (ref) => {
      await declineInvitation(context.services.database.db, ref);
      return { declined: true };
    });
  }

  @Authorized('ADMIN')
  @Mutation(() => RevokeInvitationPayload, { description: 'Revoke a pending invitation of this organization.' })
  revokeInvitation(@Arg('input', () => RevokeInvitationInput, { description: 'Invitation to revoke.' }) input: RevokeInvitationInput, @Ctx() context: ApiContext) {
    return mutate(() => context.tenant(async (trx) => {
      const id = keyOf(input.invitationId, 'Invitation');
      if (!id || !(await revokeInvitation(trx, id))) throw new UserFacingError('NOT_FOUND', 'no pending invitation with that id', 'invitationId');
      await audit(trx, context, 'member.revoke_invitation', { type: 'invitation', id });
      return { revokedInvitationId: input.invitationId };
    }));
  }
}
