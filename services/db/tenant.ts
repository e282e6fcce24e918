// The only door from request code to tenant tables: a transaction running as the non-owner
// APP_ROLE with `app.org_id` set, so row-level security scopes every statement to one org.
// Opening one costs no round trip of its own: BEGIN and the settings (role and org, one statement)
// are handed to the connection without waiting, and the pipelining pool client (dialect.ts) sends
// them in one pipeline with the transaction's first statements; withSystem likewise. Statements
// of a pipeline run in order and stop at the first failure, so nothing runs without its settings.
import { Kysely, sql, type ConnectionProvider, type DatabaseConnection, type Dialect, type Driver, type RawBuilder, type Transaction } from 'kysely';
import { DEFERRED_COMMIT } from './dialect.ts';
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
  /**
   * Ends a transaction that only read and whose statements have all been answered: the
   * connection goes back to the pool at once and its COMMIT leaves with the connection's next
   * statements (DEFERRED_COMMIT in dialect.ts) — no round trip of its own.
   */
  endRead(): Promise<void>;
}

/**
 * Opens a transaction scoped to `orgId` on a connection of its own; the caller must end() it.
 * On PGlite (one session) every other transaction waits until then.
 */
export function openTenantTransaction(db: Kysely<DB>, orgId: string): Promise<OpenTenantTransaction> {
  if (typeof orgId !== 'string' || !UUID.test(orgId)) return Promise.reject(new TenantError(`organization id is not a uuid: ${String(orgId)}`));
  // set_config('role', …, true) is SET LOCAL ROLE as a function, so both settings are one statement.
  return openTransaction(db, sql`select set_config('role', ${sql.lit(APP_ROLE)}, true), set_config('app.org_id', ${orgId.toLowerCase()}, true)`);
}

/**
 * Hands the one connection to every statement at once. Kysely's own single-connection provider
 * runs a connection's statements one after another, each waiting for the previous answer; the
 * pg client queues them itself and our pool client pipelines them (dialect.ts).
 */
class SharedConnectionProvider implements ConnectionProvider {
  constructor(private readonly connection: DatabaseConnection) {}

  provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    return consumer(this.connection);
  }
}

const refuse = (): never => {
  throw new Error('a transaction-bound Kysely only runs queries (no nested transactions, connections or introspection)');
};
/** Driver and dialect of a transaction-bound Kysely: it only runs queries through its executor. */
const QUERIES_ONLY = { driver: { init: refuse, acquireConnection: refuse, beginTransaction: refuse, commitTransaction: refuse, rollbackTransaction: refuse, releaseConnection: refuse, destroy: refuse } as Driver };
const QUERIES_ONLY_DIALECT = { createAdapter: refuse, createDriver: refuse, createIntrospector: refuse, createQueryCompiler: refuse } as Dialect;

/** A Kysely whose statements all run on `connection`, without waiting for each other. */
function boundTo(db: Kysely<DB>, connection: DatabaseConnection): Kysely<DB> {
  const executor = db.getExecutor().withConnectionProvider(new SharedConnectionProvider(connection));
  return new Kysely<DB>({ config: { dialect: QUERIES_ONLY_DIALECT }, dialect: QUERIES_ONLY_DIALECT, driver: QUERIES_ONLY.driver, executor });
}

/** A transaction on a connection of its own: BEGIN and `settings`, sent without waiting (see the top of this file). */
function openTransaction(db: Kysely<DB>, settings: RawBuilder<unknown>): Promise<OpenTenantTransaction> {
  return new Promise<OpenTenantTransaction>((resolveOpen, rejectOpen) => {
    let opened = false;
    db.getExecutor()
      .provideConnection(async (databaseConnection) => {
        const connection = boundTo(db, databaseConnection);
        // Not awaited: they leave with the first statements. A failure reaches those statements
        // (and BEGIN's makes the connection refuse everything until ROLLBACK), so it is not lost.
        const begun = Promise.all([sql.raw('BEGIN').execute(connection), settings.execute(connection)]);
        begun.catch(() => undefined);
        let finish!: (ending: string) => void;
        const finished = new Promise<string>((resolve) => (finish = resolve));
        let ended: Promise<void> | undefined;
        const closed = new Promise<void>((resolveClosed, rejectClosed) => {
          opened = true;
          resolveOpen({
            // A Kysely bound to this one connection; request code only builds queries with it.
            trx: connection as unknown as TenantTransaction,
            end: (commit) => {
              finish(commit ? 'COMMIT' : 'ROLLBACK');
              return (ended ??= closed);
            },
            endRead: () => {
              finish(DEFERRED_COMMIT);
              return (ended ??= closed);
            },
          });
          void finished.then((ending) => sql.raw(ending).execute(connection)).then(() => resolveClosed(), rejectClosed);
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

/**
 * withTenant for transactions that only read: the result is handed back as soon as `fn` has it,
 * and the COMMIT — which cannot change what was read — leaves with the connection's next
 * statements (endRead). The caller waits one round trip less. Do not write in `fn`.
 */
export function withTenantRead<T>(db: Kysely<DB>, orgId: string, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  return openTenantTransaction(db, orgId).then(async (tx) => {
    const result = await runOrRollBack(tx, fn);
    void tx.endRead().catch(() => undefined);
    return result;
  });
}

/** `fn`'s result; if it throws, the transaction is rolled back first. */
async function runOrRollBack<T>(tx: OpenTenantTransaction, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  try {
    return await fn(tx.trx);
  } catch (error) {
    await tx.end(false).catch(() => undefined);
    throw error;
  }
}

async function runAndEnd<T>(tx: OpenTenantTransaction, fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
  const result = await runOrRollBack(tx, fn);
  await tx.end(true);
  return result;
}

/**
 * Owner-side system transaction for work that happens before an org is known (API key lookup,
 * bootstrapping an org). Not for request handlers: it sees every org.
 */
export async function withSystem<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return openTransaction(db, sql`select set_config('app.system', 'on', true)`).then((tx) => runAndEnd(tx, fn));
}
