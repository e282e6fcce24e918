// Organization membership from request code (inside withTenant).
import { sql } from 'kysely';
import type { TenantTransaction } from '../db/tenant.ts';
import { MEMBERSHIP_ROLES, type MembershipRole } from '../db/types/core.ts';
import { TenancyError } from './errors.ts';
import { normalizeEmail } from './validate.ts';

export interface AddMemberInput {
  orgId: string;
  email: string;
  displayName?: string;
  role: MembershipRole;
}

export function checkRole(role: string): MembershipRole {
  if (!(MEMBERSHIP_ROLES as readonly string[]).includes(role)) {
    throw new TenancyError(`invalid role ${JSON.stringify(role)}: use one of ${MEMBERSHIP_ROLES.join(', ')}`);
  }
  return role as MembershipRole;
}

/**
 * Adds (or re-roles) a person by e-mail. Users are global, so the user row is found or created
 * through the narrow SECURITY DEFINER function condense_ensure_user.
 */
export async function addMember(trx: TenantTransaction, input: AddMemberInput): Promise<{ userId: string; role: MembershipRole }> {
  const role = checkRole(input.role);
  const email = normalizeEmail(input.email);
  const { rows } = await sql<{ id: string }>`select condense_ensure_user(${email}, ${input.displayName ?? ''}) as id`.execute(trx);
  const userId = rows[0]!.id;
  await trx
    .insertInto('memberships')
    .values({ org_id: input.orgId, user_id: userId, role, display_name: (input.displayName ?? '').trim() })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
    .execute();
  return { userId, role };
}

/** Removes a member (their team memberships and API keys for this org go with it). */
export async function removeMember(trx: TenantTransaction, userId: string): Promise<boolean> {
  const result = await trx.deleteFrom('memberships').where('user_id', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
