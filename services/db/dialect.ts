// One kysely PostgresDialect for both back ends: `pg` pools either talk to a real server or,
// through PGlite's node-postgres adapter, to the embedded database in this process.
// Every statement sent through a pool is counted (StatementCounter), so benchmarks and tests can
// assert how many statements a request costs (an N+1 regression shows up as a larger count).
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DEFAULT_DB_POOL_SIZE } from '../config.ts';
import type { DB } from './types/index.ts';

/** Statements sent to the database since the pool was made (BEGIN and COMMIT included). */
export interface StatementCounter {
  count: number;
}

/** A pg.Client class that counts every `query` call into `counter`. */
function countingClient(base: typeof pg.Client, counter: StatementCounter, extra: () => pg.ClientConfig = () => ({})): typeof pg.Client {
  return class CountingClient extends base {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, ...extra() } as pg.ClientConfig);
    }

    override query(...args: unknown[]): never {
      counter.count++;
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as unknown as typeof pg.Client;
}

/** Kysely over a real PostgreSQL server. */
export function postgresKysely(connectionString: string, maxConnections = DEFAULT_DB_POOL_SIZE): { db: Kysely<DB>; pool: pg.Pool; statements: StatementCounter } {
  const statements: StatementCounter = { count: 0 };
  const pool = new pg.Pool({ connectionString, max: maxConnections, Client: countingClient(pg.Client, statements) });
  // An idle client dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool, statements };
}

/**
 * Kysely over an embedded PGlite. PGlite is a single session, so the pool holds exactly one
 * client: statements and transactions queue up behind each other (never nest withTenant calls).
 * Each client gets a fresh adapter connection so a client the pool replaces starts clean.
 */
export function pgliteKysely(pglite: PGlite): { db: Kysely<DB>; pool: pg.Pool; statements: StatementCounter } {
  const statements: StatementCounter = { count: 0 };
  const Client = countingClient(pg.Client, statements, () => createPgConfig(pglite) as pg.ClientConfig);
  const pool = new pg.Pool({ Client, max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool, statements };
}
