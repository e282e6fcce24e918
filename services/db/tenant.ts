// The only door from request code to tenant tables: a transaction running as the non-owner
// APP_ROLE with `app.org_id` set, so row-level security scopes every statement to one org.
import { sql, type Kysely, type Transaction } from 'kysely';
import { APP_ROLE } from './rls.ts';
import type { DB } from './types/index.ts';

export type TenantTransaction = Transaction<DB>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TenantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantError';
  }
}

/**
 * Runs `fn` in a transaction scoped to `orgId`; commits when it resolves, rolls back when it throws.
 * On PGlite (one session) do not call withTenant or withSystem from inside `fn`: it would wait forever.
 */
export async function withTenant<T>(db: Kysely<DB>, orgId: string, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  if (typeof orgId !== 'string' || !UUID.test(orgId)) throw new TenantError(`organization id is not a uuid: ${String(orgId)}`);
  return db.transaction().execute(async (trx) => {
    await sql.raw(`SET LOCAL ROLE ${APP_ROLE}`).execute(trx);
    await sql`select set_config('app.org_id', ${orgId.toLowerCase()}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * Owner-side system transaction for work that happens before an org is known (API key lookup,
 * bootstrapping an org). Not for request handlers: it sees every org.
 */
export async function withSystem<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.system', 'on', true)`.execute(trx);
    return fn(trx);
  });
}
