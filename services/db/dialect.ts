// One kysely PostgresDialect for both back ends: `pg` pools either talk to a real server or,
// through PGlite's node-postgres adapter, to the embedded database in this process.
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './types/index.ts';

/** Kysely over a real PostgreSQL server. */
export function postgresKysely(connectionString: string, maxConnections = 10): { db: Kysely<DB>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle client dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/**
 * Kysely over an embedded PGlite. PGlite is a single session, so the pool holds exactly one
 * client: statements and transactions queue up behind each other (never nest withTenant calls).
 * Each client gets a fresh adapter connection so a client the pool replaces starts clean.
 */
export function pgliteKysely(pglite: PGlite): { db: Kysely<DB>; pool: pg.Pool } {
  class PgliteClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, ...createPgConfig(pglite) } as pg.ClientConfig);
    }
  }
  const pool = new pg.Pool({ Client: PgliteClient, max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool };
}
