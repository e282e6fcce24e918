// Creating an organization happens before any org exists, so it runs owner-side (withSystem).
import type { Kysely } from 'kysely';
import { withSystem } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import type { Organization, User } from '../db/types/core.ts';
import { createApiKey, type CreatedApiKey } from './api-keys.ts';
import { recordAudit } from './audit.ts';
import { TenancyError, UNIQUE_VIOLATION, sqlState } from './errors.ts';
import { checkName, checkSlug, normalizeEmail } from './validate.ts';

export interface BootstrapInput {
  name: string;
  slug: string;
  ownerEmail: string;
  ownerName: string;
  /** Name of the first API key; default "bootstrap". */
  keyName?: string;
}

export interface BootstrapResult {
  organization: Organization;
  owner: User;
  apiKey: CreatedApiKey;
}

/** Creates an org, its owner (reusing an existing user with that e-mail) and a first owner key. */
export async function bootstrapOrganization(db: Kysely<DB>, input: BootstrapInput): Promise<BootstrapResult> {
  const name = checkName('organization name', input.name);
  const slug = checkSlug(input.slug);
  const email = normalizeEmail(input.ownerEmail);
  try {
    return await withSystem(db, async (trx) => {
      const organization = await trx.insertInto('organizations').values({ name, slug }).returningAll().executeTakeFirstOrThrow();
      const owner = await trx
        .insertInto('users')
        .values({ email, display_name: input.ownerName.trim() })
        .onConflict((oc) => oc.column('email').doUpdateSet((eb) => ({ email: eb.ref('excluded.email') })))
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.insertInto('memberships').values({ org_id: organization.id, user_id: owner.id, role: 'owner', display_name: input.ownerName.trim() }).execute();
      const apiKey = await createApiKey(trx, {
        orgId: organization.id,
        userId: owner.id,
        name: input.keyName ?? 'bootstrap',
      });
      await recordAudit(trx, {
        orgId: organization.id,
        action: 'organization.bootstrap',
        actorUserId: owner.id,
        targetType: 'organization',
        targetId: organization.id,
        details: { slug, apiKeyId: apiKey.key.id },
      });
      return { organization, owner, apiKey };
    });
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) throw new TenancyError(`organization slug "${slug}" is already taken`);
    throw error;
  }
}
