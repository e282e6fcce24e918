// Invitations with consent: inviting a person creates a pending invitation in the inviting
// organization (a tenant table), never a membership. The invitee becomes a member only by
// accepting — with an API key of theirs in any organization (the invitation must name their
// e-mail) or with the invitation's one-time token (for people Condense does not know yet) — and
// may decline; an invitation expires. Until then the invitee sees only the organization's name
// and the role offered. The invitee's side is owner-side system code (withSystem): it matches the
// caller's own e-mail or the token's hash, and touches only that invitation and what accepting it
// creates (the user row if new, the membership, an API key for the new member).
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withSystem, type TenantTransaction } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import type { MembershipRole } from '../db/types/core.ts';
import { createApiKey, type CreatedApiKey } from './api-keys.ts';
import { recordAudit } from './audit.ts';
import { TenancyError } from './errors.ts';
import { checkRole } from './members.ts';
import { normalizeEmail } from './validate.ts';

/** Default and largest lifetime of an invitation. */
export const DEFAULT_INVITATION_DAYS = 7;
export const MAX_INVITATION_DAYS = 30;
const TOKEN_PREFIX = 'cnd_inv_';

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface InvitationRow {
  id: string;
  email: string;
  display_name: string;
  role: MembershipRole;
  status: 'pending' | 'accepted' | 'declined' | 'revoked';
  created_at: Date;
  expires_at: Date;
  responded_at: Date | null;
}

const COLUMNS = ['id', 'email', 'display_name', 'role', 'status', 'created_at', 'expires_at', 'responded_at'] as const;

export interface CreateInvitationInput {
  orgId: string;
  email: string;
  displayName?: string;
  role: MembershipRole;
  invitedByUserId?: string | null;
  /** Days until it expires (1..30, default 7). */
  days?: number;
}

/**
 * Inside the inviting org's tenant transaction: a pending invitation and its one-time token
 * (returned once; only its hash is stored). A pending invitation to the same address is revoked
 * (re-inviting sends a new token).
 */
export async function createInvitation(trx: TenantTransaction, input: CreateInvitationInput): Promise<{ invitation: InvitationRow; token: string }> {
  const role = checkRole(input.role);
  const email = normalizeEmail(input.email);
  const days = input.days ?? DEFAULT_INVITATION_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_INVITATION_DAYS) throw new TenancyError(`an invitation lasts 1 to ${MAX_INVITATION_DAYS} days`);
  const displayName = (input.displayName ?? '').trim();
  if (displayName.length > 200) throw new TenancyError('display name must be at most 200 characters');
  await trx.updateTable('invitations').set({ status: 'revoked', responded_at: new Date() })
    .where('email', '=', email).where('status', '=', 'pending').execute();
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const invitation = await trx.insertInto('invitations').values({
    org_id: input.orgId, email, display_name: displayName, role, invited_by_user_id: input.invitedByUserId ?? null,
    token_hash: hashInvitationToken(token), expires_at: new Date(Date.now() + days * 86_400_000),
  }).returning(COLUMNS).executeTakeFirstOrThrow();
  return { invitation: invitation as InvitationRow, token };
}

/** Inside the org's tenant transaction: revokes a pending invitation; false when there is none. */
export async function revokeInvitation(trx: TenantTransaction, invitationId: string): Promise<boolean> {
  const result = await trx.updateTable('invitations').set({ status: 'revoked', responded_at: new Date() })
    .where('id', '=', invitationId).where('status', '=', 'pending').executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** What an invitee sees of an invitation before answering it: nothing but the org's name and the role. */
export interface ReceivedInvitation {
  id: string;
  organizationName: string;
  role: MembershipRole;
  expiresAt: Date;
}

/** The pending, unexpired invitations addressed to `email` (any organization). */
export async function listReceivedInvitations(db: Kysely<DB>, email: string): Promise<ReceivedInvitation[]> {
  const rows = await withSystem(db, (trx) => trx.selectFrom('invitations as i').innerJoin('organizations as o', 'o.id', 'i.org_id')
    .select(['i.id', 'o.name', 'i.role', 'i.expires_at'])
    .where('i.email', '=', normalizeEmail(email)).where('i.status', '=', 'pending').where('i.expires_at', '>', new Date())
    .orderBy('i.created_at').orderBy('i.id').limit(100).execute());
  return rows.map((r) => ({ id: r.id, organizationName: r.name, role: r.role, expiresAt: r.expires_at }));
}

/** Which invitation an answer is about: one addressed to the caller's e-mail, or the holder of a token. */
export type InvitationRef = { invitationId: string; email: string } | { token: string };

export interface AcceptedInvitation {
  orgId: string;
  organizationName: string;
  userId: string;
  role: MembershipRole;
  /** A new API key for the new member (its secret is shown once). */
  apiKey: CreatedApiKey;
}

/** Why an answer was refused: one line, safe to show (it reveals nothing about other invitations). */
export class InvitationError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'EXPIRED', message: string) {
    super(message);
    this.name = 'InvitationError';
  }
}

type Locked = { id: string; org_id: string; email: string; display_name: string; role: MembershipRole; expires_at: Date; name: string };

async function lockPending(trx: TenantTransaction, ref: InvitationRef): Promise<Locked> {
  let query = trx.selectFrom('invitations as i').innerJoin('organizations as o', 'o.id', 'i.org_id')
    .select(['i.id', 'i.org_id', 'i.email', 'i.display_name', 'i.role', 'i.expires_at', 'o.name'])
    .where('i.status', '=', 'pending');
  query = 'token' in ref
    ? query.where('i.token_hash', '=', hashInvitationToken(ref.token))
    : query.where('i.id', '=', ref.invitationId).where('i.email', '=', normalizeEmail(ref.email));
  const row = await query.forUpdate('i').executeTakeFirst();
  if (!row) throw new InvitationError('NOT_FOUND', 'no pending invitation for you with that id or token');
  if (row.expires_at.getTime() <= Date.now()) throw new InvitationError('EXPIRED', 'this invitation has expired; ask for a new one');
  return row as Locked;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkRef(ref: InvitationRef): void {
  if ('token' in ref ? !ref.token.startsWith(TOKEN_PREFIX) || ref.token.length > 200 : !UUID.test(ref.invitationId)) {
    throw new InvitationError('NOT_FOUND', 'no pending invitation for you with that id or token');
  }
}

/** Accepts: the person becomes a member with the offered role (creating their user if new) and
 * gets an API key for the organization. Already a member: the membership is kept as it is. */
export async function acceptInvitation(db: Kysely<DB>, ref: InvitationRef): Promise<AcceptedInvitation> {
  checkRef(ref);
  return withSystem(db, async (trx) => {
    const inv = await lockPending(trx, ref);
    const existing = await trx.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst();
    const userId = existing?.id ?? (await trx.insertInto('users').values({ email: inv.email }).returning('id').executeTakeFirstOrThrow()).id;
    await trx.insertInto('memberships').values({ org_id: inv.org_id, user_id: userId, role: inv.role, display_name: inv.display_name })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing()).execute();
    const member = await trx.selectFrom('memberships').select('role').where('org_id', '=', inv.org_id).where('user_id', '=', userId).executeTakeFirstOrThrow();
    await trx.updateTable('invitations').set({ status: 'accepted', responded_at: new Date() }).where('id', '=', inv.id).execute();
    const apiKey = await createApiKey(trx, { orgId: inv.org_id, userId, name: 'accepted invitation' });
    await recordAudit(trx, {
      orgId: inv.org_id, action: 'member.accept_invitation', actorUserId: userId, actorApiKeyId: null,
      targetType: 'user', targetId: userId, details: { invitationId: inv.id, role: member.role, by: 'token' in ref ? 'token' : 'api key' },
    });
    return { orgId: inv.org_id, organizationName: inv.name, userId, role: member.role, apiKey };
  });
}

/** Declines: the invitation is closed; nothing else changes. */
export async function declineInvitation(db: Kysely<DB>, ref: InvitationRef): Promise<void> {
  checkRef(ref);
  await withSystem(db, async (trx) => {
    const inv = await lockPending(trx, ref);
    await trx.updateTable('invitations').set({ status: 'declined', responded_at: new Date() }).where('id', '=', inv.id).execute();
    await recordAudit(trx, { orgId: inv.org_id, action: 'member.decline_invitation', targetType: 'invitation', targetId: inv.id, details: {} });
  });
}

/** The e-mail of the user a key belongs to (the invitee side matches invitations by it). */
export async function emailOfUser(db: Kysely<DB>, userId: string): Promise<string | null> {
  const row = await withSystem(db, (trx) => trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst());
  return row?.email ?? null;
}
