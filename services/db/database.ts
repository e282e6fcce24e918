// Opens the application database: a real PostgreSQL when DATABASE_URL is set, otherwise an
// embedded PGlite persisted in <dataDir>/pgdata.
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { makePrivateDir } from '../files/private.ts';
import { pgliteKysely, postgresKysely, type StatementCounter } from './dialect.ts';
import { keepPgliteFilesPrivate } from './pglite-file-modes.ts';
import { DataDirInUseError, lockDataDir } from './pglite-lock.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './types/index.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  close(): Promise<void>;
  /** Statements sent so far (BEGIN/COMMIT included): what a request costs the database. */
  statements: StatementCounter;
  /** kind 'postgres': URL of this very database (e.g. for a dedicated LISTEN connection). */
  connectionString?: string;
  /** kind 'pglite': the embedded instance (e.g. for `pglite.listen(channel, cb)`). */
  pglite?: PGlite;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning (default false). */
  migrate?: boolean;
}

export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'dbPoolSize'>>,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const database = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.dbPoolSize)
    : await openPglite(config.dataDir, join(config.dataDir, 'pgdata'));
  if (options.migrate) {
    try {
      await migrateToLatest(database.db);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

async function openPostgres(url: string, poolSize?: number): Promise<Database> {
  const { db, statements } = postgresKysely(url, poolSize);
  try {
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
  } catch (error) {
    await db.destroy();
    const where = safeUrl(url);
    throw new DatabaseError(`cannot connect to PostgreSQL at ${where}: ${(error as Error).message}`, { cause: error });
  }
  return { db, kind: 'postgres', close: () => db.destroy(), statements, connectionString: url };
}

async function openPglite(dataDir: string, dir: string): Promise<Database> {
  let pglite: PGlite;
  let unlock: () => void;
  try {
    makePrivateDir(dataDir);
    makePrivateDir(dir);
    keepPgliteFilesPrivate(dir);
    unlock = lockDataDir(dir);
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new DatabaseError(error.message);
    throw new DatabaseError(`cannot open the embedded database in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  try {
    pglite = await PGlite.create(dir);
  } catch (error) {
    unlock();
    throw new DatabaseError(`cannot open the embedded database in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return wrapPglite(pglite, unlock);
}

/** Wraps an open PGlite instance; close() ends kysely, then PGlite, then runs `onClosed`. */
export function wrapPglite(pglite: PGlite, onClosed: () => void = () => undefined): Database {
  const { db, statements } = pgliteKysely(pglite);
  return {
    db,
    kind: 'pglite',
    statements,
    pglite,
    close: async () => {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        onClosed();
      }
    },
  };
}

/** The URL without its password, for error messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
