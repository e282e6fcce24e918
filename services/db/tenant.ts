// The only door from request code to tenant tables: a transaction running as the non-owner
// APP_ROLE with `app.org_id` set, so row-level security scopes every statement to one org.
// Opening one costs a single round trip: BEGIN, SET LOCAL ROLE and the org setting go to the
// server as one simple-protocol message (the org id is checked to be a uuid before it is inlined);
// withSystem's BEGIN and its setting likewise.
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

/** An open tenant transaction holding one pooled connection until end(). */
export interface OpenTenantTransaction {
  trx: TenantTransaction;
  /** Commits (true) or rolls back (false) and gives the connection back to the pool. */
  end(commit: boolean): Promise<void>;
}

/**
 * Opens a transaction scoped to `orgId` on a connection of its own; the caller must end() it.
 * On PGlite (one session) every other transaction waits until then.
 */
export function openTenantTransaction(db: Kysely<DB>, orgId: string): Promise<OpenTenantTransaction> {
  if (typeof orgId !== 'string' || !UUID.test(orgId)) return Promise.reject(new TenantError(`organization id is not a uuid: ${String(orgId)}`));
  return openTransaction(db, `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('app.org_id', '${orgId.toLowerCase()}', true)`);
}

/** A transaction on a connection of its own, begun by `begin` (one simple-protocol message, no parameters). */
function openTransaction(db: Kysely<DB>, begin: string): Promise<OpenTenantTransaction> {
  return new Promise<OpenTenantTransaction>((resolveOpen, rejectOpen) => {
    let opened = false;
    db.connection()
      .execute(async (connection) => {
        await sql.raw(begin).execute(connection);
        let finish!: (commit: boolean) => void;
        const finished = new Promise<boolean>((resolve) => (finish = resolve));
        let ended: Promise<void> | undefined;
        const closed = new Promise<void>((resolveClosed, rejectClosed) => {
          opened = true;
          resolveOpen({
            // A Kysely bound to this one connection; request code only builds queries with it.
            trx: connection as unknown as TenantTransaction,
            end: (commit) => {
              finish(commit);
              return (ended ??= closed);
            },
          });
          void finished.then((commit) => sql.raw(commit ? 'COMMIT' : 'ROLLBACK').execute(connection)).then(() => resolveClosed(), rejectClosed);
        });
        await closed.catch(async (error: unknown) => {
          await sql.raw('ROLLBACK').execute(connection).catch(() => undefined);
          throw error;
        });
      })
      .catch((error: unknown) => {
        if (!opened) rejectOpen(error);
      });
  });
}

/**
 * Runs `fn` in a transaction scoped to `orgId`; commits when it resolves, rolls back when it throws.
 * On PGlite (one session) do not call withTenant or withSystem from inside `fn`: it would wait forever.
 */
export function withTenant<T>(db: Kysely<DB>, orgId: string, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  return openTenantTransaction(db, orgId).then((tx) => runAndEnd(tx, fn));
}

async function runAndEnd<T>(tx: OpenTenantTransaction, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn(tx.trx);
  } catch (error) {
    await tx.end(false).catch(() => undefined);
    throw error;
  }
  await tx.end(true);
  return result;
}

/**
 * Owner-side system transaction for work that happens before an org is known (API key lookup,
 * bootstrapping an org). Not for request handlers: it sees every org.
 */
export async function withSystem<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return openTransaction(db, `BEGIN; SELECT set_config('app.system', 'on', true)`).then((tx) => runAndEnd(tx, fn));
}
