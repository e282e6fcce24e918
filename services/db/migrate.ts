// Runs the statically listed migrations (migrations/index.ts) as the database owner.
import { Migrator, type Kysely, type MigrationProvider, type MigrationResultSet, type Migration } from 'kysely';
import { migrations } from '../../migrations/index.ts';

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

// Work lands from parallel branches, so a database may already hold a later-numbered migration
// when an earlier-numbered one arrives (0008 was applied before 0007 landed). Each migration
// touches only its own tables and columns, so kysely may apply the missing one late.
function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new StaticMigrationProvider(), allowUnorderedMigrations: true });
}

function check(result: MigrationResultSet, verb: string): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown migration';
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(`${verb} failed at ${failed}: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateToLatest(), 'migration');
}

/** Reverts the most recent migration; returns the names reverted (empty when none is applied). */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateDown(), 'migrating down');
}

/** Reverts every applied migration, newest first. */
export async function migrateToZero(db: Kysely<any>): Promise<string[]> {
  const reverted: string[] = [];
  for (;;) {
    const step = await migrateDown(db);
    if (step.length === 0) return reverted;
    reverted.push(...step);
  }
}

/** Names of applied migrations, oldest first. */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}
