// Pipelined tenant transactions (services/db/pipeline.ts, dialect.ts, tenant.ts): statements a
// transaction sends without waiting share one round trip and keep their order and results; a
// failing statement rejects with its own error, the later ones of its pipeline are not run, and
// the whole transaction rolls back; the tenant settings hold for the first statement (RLS);
// multi-statement text still works inside a transaction. On PGlite, and on PostgreSQL 15 with
// DATABASE_URL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { PipelineSkippedError } from '../../services/db/pipeline.ts';
import { withTenant } from '../../services/db/tenant.ts';
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
});
