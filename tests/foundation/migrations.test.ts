// Every migration (all areas') goes up, all the way down, and up again on a fresh database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { appliedMigrations, migrateDown, migrateToLatest, migrateToZero } from '../../services/db/migrate.ts';
import { splitStatements } from '../../services/db/script.ts';
import { migrations } from '../../migrations/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

async function publicTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ relname: string }>`
    select relname from pg_class
     where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm')
       and relname not like 'kysely_migration%'
     order by relname`.execute(db);
  return rows.map((r) => r.relname);
}

async function publicFunctions(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ proname: string }>`
    select proname from pg_proc where pronamespace = 'public'::regnamespace order by proname`.execute(db);
  return rows.map((r) => r.proname);
}

let database: Database;
before(async () => {
  database = await createTestDatabase({ migrate: false });
});
after(() => database?.close());

test('migrations go up, down to nothing, and up again', async () => {
  const db = database.db;
  const names = Object.keys(migrations).sort();
  assert.ok(names[0] === '0001_core', 'the core migration runs first');

  assert.deepEqual(await migrateToLatest(db), names);
  const tables = await publicTables(db);
  for (const t of ['organizations', 'users', 'memberships', 'teams', 'team_members', 'api_keys', 'projects', 'audit_log']) {
    assert.ok(tables.includes(t), `missing table ${t}`);
  }
  assert.deepEqual(await appliedMigrations(db), names);
  assert.deepEqual(await migrateToLatest(db), [], 'a second run applies nothing');

  const reverted = await migrateToZero(db);
  assert.deepEqual(reverted, [...names].reverse());
  assert.deepEqual(await publicTables(db), [], 'down migrations leave tables behind');
  assert.deepEqual(await publicFunctions(db), [], 'down migrations leave functions behind');

  assert.deepEqual(await migrateToLatest(db), names);
  assert.deepEqual(await publicTables(db), tables, 'the second up builds the same tables');
});

test('migrateDown reverts only the newest migration', async () => {
  const db = database.db;
  const names = Object.keys(migrations).sort();
  assert.deepEqual(await migrateDown(db), [names.at(-1)]);
  assert.deepEqual(await appliedMigrations(db), names.slice(0, -1));
  await migrateToLatest(db);
});

test('SQL scripts split on statement ends but keep function bodies whole', () => {
  const parts = splitStatements(`
-- a comment
create table a (x int);
create function f() returns int language plpgsql as $fn$
begin
  return 1;
end
$fn$;
select 1;`);
  assert.equal(parts.length, 3);
  assert.match(parts[1]!, /return 1;\nend\n\$fn\$$/);
});

test('a migration that lands after a later-numbered one was applied still runs', async () => {
  // Branches land out of order: simulate a database that applied every migration but one earlier
  // than the newest (as 0008 was applied before 0007 landed).
  const db = database.db;
  const names = Object.keys(migrations).sort();
  const late = names.at(-2)!;
  await migrations[late]!.down!(db);
  await sql`delete from kysely_migration where name = ${late}`.execute(db);
  assert.deepEqual(await migrateToLatest(db), [late]);
  assert.deepEqual([...(await appliedMigrations(db))].sort(), names);
});
