// openDatabase on each back end, and withTenant's transaction behaviour.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { DatabaseError, openDatabase } from '../../services/db/database.ts';
import { withSystem, withTenant } from '../../services/db/tenant.ts';
import { bootstrapOrganization } from '../../services/tenancy/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

let database: Database;
before(async () => {
  database = await createTestDatabase();
});
after(() => database?.close());

test('embedded PGlite persists in <dataDir>/pgdata across restarts', { skip: !!process.env.DATABASE_URL && 'PGlite-only' }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'condense-db-'));
  try {
    const first = await openDatabase({ databaseUrl: undefined, dataDir }, { migrate: true });
    assert.equal(first.kind, 'pglite');
    await bootstrapOrganization(first.db, { name: 'Kept', slug: 'kept', ownerEmail: 'k@kept.test', ownerName: 'K' });
    await assert.rejects(
      openDatabase({ databaseUrl: undefined, dataDir }),
      /^DatabaseError: the embedded database in .*pgdata is in use by process \d+; stop it, or set DATABASE_URL/,
    );
    await first.close();
    // A lock left behind by a crashed process is taken over.
    await writeFile(join(dataDir, 'pgdata.lock'), '999999');
    const second = await openDatabase({ databaseUrl: undefined, dataDir }, { migrate: true });
    try {
      const orgs = await withSystem(second.db, (trx) => trx.selectFrom('organizations').select('slug').execute());
      assert.deepEqual(orgs, [{ slug: 'kept' }]);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('openDatabase uses DATABASE_URL when set', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, async () => {
  const opened = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: tmpdir() });
  try {
    assert.equal(opened.kind, 'postgres');
    const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(opened.db);
    assert.match(rows[0]!.v, /^\d+/);
  } finally {
    await opened.close();
  }
});

test('an unreachable server is one clear DatabaseError without the password', async () => {
  await assert.rejects(
    openDatabase({ databaseUrl: 'postgres://app:hunter2@127.0.0.1:1/nothing', dataDir: tmpdir() }),
    (error: unknown) => {
      assert.ok(error instanceof DatabaseError);
      assert.match(error.message, /^cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/nothing: /);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    },
  );
});

test('withTenant commits on success, rolls back on error, and scopes concurrent calls', async () => {
  const a = await bootstrapOrganization(database.db, { name: 'A', slug: 'tx-a', ownerEmail: 'a@tx.test', ownerName: 'A' });
  const b = await bootstrapOrganization(database.db, { name: 'B', slug: 'tx-b', ownerEmail: 'b@tx.test', ownerName: 'B' });
  const orgA = a.organization.id;
  const orgB = b.organization.id;
  await withTenant(database.db, orgA, (trx) => trx.insertInto('projects').values({ org_id: orgA, name: 'kept' }).execute());
  await assert.rejects(
    withTenant(database.db, orgA, async (trx) => {
      await trx.insertInto('projects').values({ org_id: orgA, name: 'lost' }).execute();
      throw new Error('abort');
    }),
    /abort/,
  );
  await withTenant(database.db, orgB, (trx) => trx.insertInto('projects').values({ org_id: orgB, name: 'theirs' }).execute());
  const [seenA, seenB] = await Promise.all([
    withTenant(database.db, orgA, (trx) => trx.selectFrom('projects').select('name').execute()),
    withTenant(database.db, orgB, (trx) => trx.selectFrom('projects').select('name').execute()),
  ]);
  assert.deepEqual(seenA, [{ name: 'kept' }]);
  assert.deepEqual(seenB, [{ name: 'theirs' }]);
  // The settings are transaction-local: nothing leaks to the next statement on the connection.
  const { rows } = await sql<{ role: string; org: string | null }>`
    select current_user as role, current_setting('app.org_id', true) as org`.execute(database.db);
  assert.notEqual(rows[0]!.role, 'condense_app');
  assert.ok(!rows[0]!.org, 'app.org_id leaked out of the transaction');
});

test('a listener gets NOTIFY from kysely through Database.pglite or Database.connectionString', async () => {
  const received: string[] = [];
  let stop: () => Promise<void>;
  if (database.kind === 'pglite') {
    assert.ok(database.pglite);
    const unlisten = await database.pglite.listen('foundation_test', (payload) => received.push(payload));
    stop = unlisten;
  } else {
    assert.ok(database.connectionString);
    const client = new pg.Client({ connectionString: database.connectionString });
    await client.connect();
    client.on('notification', (m) => received.push(m.payload ?? ''));
    await client.query('LISTEN foundation_test');
    stop = () => client.end();
  }
  try {
    await sql`select pg_notify('foundation_test', 'hello')`.execute(database.db);
    await database.db.transaction().execute((trx) => sql`select pg_notify('foundation_test', 'from a transaction')`.execute(trx));
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(received, ['hello', 'from a transaction']);
  } finally {
    await stop();
  }
});
