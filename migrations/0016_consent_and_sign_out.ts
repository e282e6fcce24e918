// Issue #12 (security), second part:
// - Invitations: inviting a person creates a pending invitation, not a membership. The invitee
//   becomes a member only by accepting it (with an API key of theirs, or with the invitation's
//   one-time token), may decline it, and it expires. It is a tenant table: the inviting org's
//   admins see and revoke its rows; the invitee's side goes through owner-side system code
//   (services/tenancy/invitations.ts) that matches the caller's own e-mail or the token's hash.
// - Signed-out console sessions: a sign-out is recorded (by the session's nonce, until the session
//   would have expired anyway) so every API process refuses the session, including processes
//   started later; the NOTIFY sent with it ends open subscriptions everywhere. Not tenant data,
//   and request code (APP_ROLE) has no access to it.
import { sql, type Kysely } from 'kysely';
import { protectTenantTable } from '../services/db/rls.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table invitations (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organizations(id) on delete cascade,
      email text not null check (email = lower(email) and email like '%_@_%' and length(email) <= 320),
      display_name text not null default '' check (length(display_name) <= 200),
      role text not null check (role in ('owner', 'admin', 'member', 'viewer')),
      invited_by_user_id uuid,
      token_hash text not null unique,
      status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'revoked')),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      responded_at timestamptz
    )`.execute(db);
  await sql`create unique index invitations_pending_idx on invitations (org_id, email) where status = 'pending'`.execute(db);
  await sql`create index invitations_email_idx on invitations (email) where status = 'pending'`.execute(db);
  await protectTenantTable(db, 'invitations');

  await sql`
    create table signed_out_sessions (
      nonce text primary key check (length(nonce) <= 100),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index signed_out_sessions_expiry_idx on signed_out_sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists signed_out_sessions`.execute(db);
  await sql`drop table if exists invitations`.execute(db);
}
