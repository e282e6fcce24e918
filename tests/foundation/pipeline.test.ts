// Pipelined tenant transactions (services/db/pipeline.ts, dialect.ts, tenant.ts): statements a
// transaction sends without waiting share one round trip and keep their order and results; a
// failing statement rejects with its own error, the later ones of its pipeline are not run, and
// the whole transaction rolls back; the tenant settings hold for the first statement (RLS);
// multi-statement text still works inside a transaction; a read transaction's COMMIT leaves with
// its connection's next pipeline (or alone when the connection stays idle), and the next
// transaction is a new one with its own tenant; statement texts are parsed once per connection
// (named prepared statements), also after failures and schema changes. On PGlite, and on PostgreSQL 15 with DATABASE_URL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { PipelineSkippedError } from '../../services/db/pipeline.ts';
import { postgresKysely } from '../../services/db/dialect.ts';
import { openTenantTransaction, withSystem, withTenant, withTenantRead } from '../../services/db/tenant.ts';
import { bootstrapOrganization } from '../../services/tenancy/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

describe('pipelined transactions', () => {
  let database: Database;
  let orgA: string;
  let orgB: string;

  const counted = async <T>(fn: () => Promise<T>): Promise<{ value: T; statements: number; roundTrips: number }> => {
    const before = { ...database.statements };
    const value = await fn();
    return { value, statements: database.statements.count - before.count, roundTrips: database.statements.roundTrips - before.roundTrips };
  };

  before(async () => {
    database = await createTestDatabase();
    const slug = () => `pipe-${randomBytes(4).toString('hex')}`;
    orgA = (await bootstrapOrganization(database.db, { name: 'A', slug: slug(), ownerEmail: `${slug()}@example.test`, ownerName: 'A' })).organization.id;
    orgB = (await bootstrapOrganization(database.db, { name: 'B', slug: slug(), ownerEmail: `${slug()}@example.test`, ownerName: 'B' })).organization.id;
    await withTenant(database.db, orgB, (trx) => trx.insertInto('projects').values({ org_id: orgB, name: 'b-only' }).execute());
  });
  after(async () => {
    await database?.close();
  });

  it('sends BEGIN, the settings and the statements asked for together in one round trip, results in order', async () => {
    const { value, statements, roundTrips } = await counted(() =>
      withTenant(database.db, orgA, (trx) =>
        Promise.all([
          sql<{ who: string; org: string }>`select current_user as who, current_setting('app.org_id') as org`.execute(trx),
          sql<{ n: number }>`select ${41}::int + 1 as n`.execute(trx),
          trx.selectFrom('projects').select('name').execute(),
        ]),
      ),
    );
    const [settings, arithmetic, projects] = value;
    assert.deepEqual(settings.rows, [{ who: 'condense_app', org: orgA }]);
    assert.deepEqual(arithmetic.rows, [{ n: 42 }]);
    assert.deepEqual(projects, [], 'org B\'s project is invisible to org A (RLS holds in the first pipeline)');
    assert.equal(statements, 6); // BEGIN, settings, 3 selects, COMMIT
    assert.equal(roundTrips, 2); // [BEGIN … 3 selects], [COMMIT]
  });

  it('statements that wait for each other still go one round trip each', async () => {
    const { roundTrips } = await counted(() =>
      withTenant(database.db, orgA, async (trx) => {
        await sql`select 1`.execute(trx);
        await sql`select 2`.execute(trx);
      }),
    );
    assert.equal(roundTrips, 3); // [BEGIN, settings, select 1], [select 2], [COMMIT]
  });

  it('a failing statement rejects with its own error, the rest of its pipeline is not run, and the transaction rolls back', async () => {
    const name = `rolled-back-${randomBytes(4).toString('hex')}`;
    let outcomes: PromiseSettledResult<unknown>[] = [];
    await assert.rejects(
      withTenant(database.db, orgA, async (trx) => {
        outcomes = await Promise.allSettled([
          trx.insertInto('projects').values({ org_id: orgA, name }).execute(),
          sql`select 1 / 0`.execute(trx),
          sql`select 'never'`.execute(trx),
        ]);
        throw new Error('caller gives up');
      }),
      /caller gives up/,
    );
    assert.equal(outcomes[0]!.status, 'fulfilled');
    assert.equal(outcomes[1]!.status, 'rejected');
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason.message), /division by zero/);
    assert.equal(outcomes[2]!.status, 'rejected');
    assert.ok((outcomes[2] as PromiseRejectedResult).reason instanceof PipelineSkippedError);
    const left = await withTenant(database.db, orgA, (trx) => trx.selectFrom('projects').select('id').where('name', '=', name).execute());
    assert.deepEqual(left, [], 'the insert that ran before the failure was rolled back');
  });

  it('a committed pipeline keeps every statement\'s effect, and the connection is clean for the next transaction', async () => {
    const names = [`p-${randomBytes(4).toString('hex')}`, `q-${randomBytes(4).toString('hex')}`];
    await withTenant(database.db, orgA, (trx) => Promise.all(names.map((name) => trx.insertInto('projects').values({ org_id: orgA, name }).execute())));
    const found = await withTenant(database.db, orgA, (trx) => trx.selectFrom('projects').select('name').where('name', 'in', names).orderBy('name').execute());
    assert.deepEqual(found.map((r) => r.name), [...names].sort());
    // The next transaction on the (same, on PGlite) connection runs as its own org, not the previous one's.
    const other = await withTenant(database.db, orgB, (trx) => trx.selectFrom('projects').select('name').execute());
    assert.deepEqual(other.map((r) => r.name), ['b-only']);
  });

  it('multi-statement text without parameters still runs inside a transaction (sent on its own)', async () => {
    const tag = randomBytes(4).toString('hex');
    await withTenant(database.db, orgA, async (trx) => {
      await sql.raw(`insert into projects (org_id, name) values ('${orgA}', 'm1-${tag}'); insert into projects (org_id, name) values ('${orgA}', 'm2-${tag}')`).execute(trx);
    });
    const found = await withTenant(database.db, orgA, (trx) => trx.selectFrom('projects').select('name').where('name', 'like', `m_-${tag}`).orderBy('name').execute());
    assert.deepEqual(found.map((r) => r.name), [`m1-${tag}`, `m2-${tag}`]);
  });

  it('outside a transaction, statements are not held back', async () => {
    const { value, roundTrips } = await counted(() => sql<{ one: number }>`select 1 as one`.execute(database.db));
    assert.deepEqual(value.rows, [{ one: 1 }]);
    assert.equal(roundTrips, 1);
  });

  /** A pool of one connection over the test database, so consecutive transactions share it. */
  const onePool = () =>
    database.kind === 'postgres' ? postgresKysely(database.connectionString!, 1) : { db: database.db, statements: database.statements, pool: null };

  it('a read transaction\'s COMMIT leaves with the next transaction on its connection, which runs as a new transaction of its own org', async () => {
    const one = onePool();
    try {
      const start = { ...one.statements };
      const a = await openTenantTransaction(one.db, orgA);
      const seenByA = await sql<{ xid: string; org: string; n: number }>`select txid_current()::text as xid, current_setting('app.org_id') as org, (select count(*) from projects)::int as n`.execute(a.trx);
      // B waits for the only connection; it gets it the moment A is released.
      const b = withTenant(one.db, orgB, (trx) =>
        Promise.all([
          sql<{ xid: string; org: string }>`select txid_current()::text as xid, current_setting('app.org_id') as org`.execute(trx),
          trx.selectFrom('projects').select('name').execute(),
        ]),
      );
      await a.endRead();
      assert.equal(one.statements.deferredCommits, 1, 'A\'s COMMIT waits for the connection\'s next statements');
      const [seenByB, projectsOfB] = await b;
      assert.equal(one.statements.deferredCommits, 0);
      assert.equal(seenByA.rows[0]!.org, orgA);
      assert.equal(seenByB.rows[0]!.org, orgB);
      assert.notEqual(seenByB.rows[0]!.xid, seenByA.rows[0]!.xid, 'B runs in a transaction of its own');
      assert.deepEqual(projectsOfB.map((r) => r.name), ['b-only']);
      // A: [BEGIN, settings, select]; B: [A's COMMIT, BEGIN, settings, 2 selects], [COMMIT].
      assert.equal(one.statements.count - start.count, 4 + 5);
      assert.equal(one.statements.roundTrips - start.roundTrips, 3);
    } finally {
      if (one.pool) await one.db.destroy();
    }
  });

  it('the deferred COMMIT of a connection left idle goes out on its own, and a read that failed is rolled back by it', async () => {
    const one = onePool();
    try {
      const start = { ...one.statements };
      const rows = await withTenantRead(one.db, orgA, (trx) => trx.selectFrom('projects').select('name').execute());
      assert.ok(rows.every((r) => r.name !== 'b-only'));
      const failed = await openTenantTransaction(one.db, orgA);
      await assert.rejects(sql`select 1 / 0`.execute(failed.trx), /division by zero/);
      await failed.endRead();
      const deadline = Date.now() + 10_000;
      while (one.statements.deferredCommits > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.equal(one.statements.deferredCommits, 0);
      // Read: [BEGIN, settings, select]; failed: [the read's COMMIT, BEGIN, settings, 1 / 0]; then,
      // alone once the connection stayed idle, [COMMIT], which rolls the aborted transaction back.
      assert.equal(one.statements.roundTrips - start.roundTrips, 3);
      // The connection is usable and outside any transaction.
      const after = await withTenant(one.db, orgB, (trx) => trx.selectFrom('projects').select('name').execute());
      assert.deepEqual(after.map((r) => r.name), ['b-only']);
      if (database.kind === 'postgres') {
        const { rows: open } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(database.db);
        assert.equal(open[0]!.n, 0, 'no connection is left idle in a transaction');
      }
    } finally {
      if (one.pool) await one.db.destroy();
    }
  });

  /** The connection's named statements with this text (pg_prepared_statements is per session). */
  const preparedAs = (trx: Parameters<Parameters<typeof withSystem>[1]>[0], text: string) =>
    sql<{ name: string }>`select name from pg_prepared_statements where statement = ${text}`.execute(trx).then((r) => r.rows.map((row) => row.name));

  it('parses a statement text once per connection and then only binds it, with new values each time', async () => {
    const one = onePool();
    try {
      const tag = sql.raw(randomBytes(4).toString('hex'));
      const doubled = (n: number) => sql<{ doubled: number }>`select ${n}::int * 2 as doubled -- ${tag}`;
      const text = doubled(0).compile(one.db).sql;
      const results: number[] = [];
      for (const n of [1, 2, 3]) results.push((await withTenant(one.db, orgA, (trx) => doubled(n).execute(trx))).rows[0]!.doubled);
      assert.deepEqual(results, [2, 4, 6]);
      const names = await withTenant(one.db, orgA, (trx) => preparedAs(trx, text));
      assert.equal(names.length, 1, `one named statement for the text, got ${JSON.stringify(names)}`);
      assert.match(names[0]!, /^condense_\d+$/);
    } finally {
      if (one.pool) await one.db.destroy();
    }
  });

  it('a statement that failed is parsed again (its name closed), and runs the next time', async () => {
    const one = onePool();
    try {
      const tag = sql.raw(randomBytes(4).toString('hex'));
      const inverse = (n: number) => sql<{ q: number }>`select 12 / ${n}::int as q -- ${tag}`;
      const text = inverse(1).compile(one.db).sql;
      await assert.rejects(withTenant(one.db, orgA, (trx) => inverse(0).execute(trx)), /division by zero/);
      assert.equal((await withTenant(one.db, orgA, (trx) => inverse(4).execute(trx))).rows[0]!.q, 3);
      assert.equal((await withTenant(one.db, orgA, (trx) => inverse(6).execute(trx))).rows[0]!.q, 2);
      const names = await withTenant(one.db, orgA, (trx) => preparedAs(trx, text));
      assert.equal(names.length, 1, `the failed statement's name was closed, got ${JSON.stringify(names)}`);
    } finally {
      if (one.pool) await one.db.destroy();
    }
  });

  it('after a schema change alters a prepared select\'s columns, it fails once and is parsed afresh', async () => {
    const one = onePool();
    const table = sql.table(`pipeline_stale_${randomBytes(4).toString('hex')}`);
    try {
      await withSystem(one.db, async (trx) => {
        await sql`create table ${table} (a int)`.execute(trx);
        await sql`insert into ${table} values (1)`.execute(trx);
      });
      const all = () => withSystem(one.db, (trx) => sql<Record<string, number | null>>`select * from ${table}`.execute(trx)).then((r) => r.rows);
      assert.deepEqual(await all(), [{ a: 1 }]);
      assert.deepEqual(await all(), [{ a: 1 }]);
      await withSystem(one.db, (trx) => sql`alter table ${table} add column b int`.execute(trx));
      // PostgreSQL refuses a named statement whose result columns changed; the connection then
      // forgets its names, so the next run parses the text again and sees the new column.
      await assert.rejects(all(), /cached plan must not change result type/);
      assert.deepEqual(await all(), [{ a: 1, b: null }]);
    } finally {
      await withSystem(one.db, (trx) => sql`drop table if exists ${table}`.execute(trx)).catch(() => undefined);
      if (one.pool) await one.db.destroy();
    }
  });
});
