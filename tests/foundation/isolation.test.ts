// Tenant isolation on EVERY table with an org_id column, found from the catalog: a table added
// later without RLS, FORCE, a policy or grants fails here. Rows are inserted generically as
// the owner (foreign keys and triggers off), then org A tries to see and touch org B's rows.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely, type Transaction } from 'kysely';
import { APP_ROLE } from '../../services/db/rls.ts';
import { withSystem, withTenant } from '../../services/db/tenant.ts';
import type { DB } from '../../services/db/types/index.ts';
import { bootstrapOrganization } from '../../services/tenancy/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

interface ColumnInfo {
  name: string;
  dataType: string;
  udtName: string;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
}

interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  checks: string[];
}

type Row = Record<string, unknown>;

async function tenantTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ relname: string }>`
    select c.relname from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
     order by c.relname`.execute(db);
  return rows.map((r) => r.relname);
}

async function describeTable(db: Kysely<DB>, table: string): Promise<TableInfo> {
  const columns = await sql<{
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
    is_generated: string;
  }>`select column_name, data_type, udt_name, is_nullable, column_default, is_identity, is_generated
       from information_schema.columns where table_schema = 'public' and table_name = ${table}
      order by ordinal_position`.execute(db);
  const pk = await sql<{ attname: string }>`
    select a.attname from pg_index i
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = ${table}::regclass and i.indisprimary`.execute(db);
  const checks = await sql<{ def: string }>`
    select pg_get_constraintdef(oid) as def from pg_constraint
     where conrelid = ${table}::regclass and contype = 'c'`.execute(db);
  return {
    name: table,
    columns: columns.rows.map((c) => ({
      name: c.column_name,
      dataType: c.data_type,
      udtName: c.udt_name,
      nullable: c.is_nullable === 'YES',
      hasDefault: c.column_default !== null || c.is_identity === 'YES',
      generated: c.is_generated === 'ALWAYS',
    })),
    primaryKey: pk.rows.map((r) => r.attname),
    checks: checks.rows.map((r) => r.def),
  };
}

/** First allowed literal of an enumeration-style CHECK (`col IN (...)` / `= ANY (ARRAY[...])`) on the column. */
function enumeratedValue(table: TableInfo, column: string): string | undefined {
  for (const def of table.checks) {
    const match = new RegExp(`\\(?${column}\\)?(?:::text)? = ANY \\(\\(?ARRAY\\['([^']*)'`).exec(def);
    if (match) return match[1];
  }
  return undefined;
}

async function enumLabel(db: Kysely<DB>, udtName: string): Promise<string | undefined> {
  const { rows } = await sql<{ enumlabel: string }>`
    select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid
     where t.typname = ${udtName} order by e.enumsortorder limit 1`.execute(db);
  return rows[0]?.enumlabel;
}

/** A value the column accepts; unique-ish so unique constraints hold across inserted rows. */
async function genericValue(db: Kysely<DB>, table: TableInfo, column: ColumnInfo): Promise<unknown> {
  const tag = randomBytes(4).toString('hex');
  if (column.dataType === 'ARRAY') return '{}';
  if (column.dataType === 'USER-DEFINED') return enumLabel(db, column.udtName);
  switch (column.udtName) {
    case 'uuid':
      return randomUUID();
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'citext': {
      const enumerated = enumeratedValue(table, column.name);
      if (enumerated !== undefined) return enumerated;
      // Satisfies the usual shape checks (lower-case, hex digests, e-mail addresses) as well as free text.
      if (column.name === 'email') return `t${tag}@example.com`;
      return /sha256|hash/.test(column.name) ? randomBytes(32).toString('hex') : `t${tag}`;
    }
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
      return 1;
    case 'bool':
      return false;
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return new Date().toISOString();
    case 'json':
    case 'jsonb':
      return '{}';
    case 'bytea':
      return Buffer.from([0]);
    case 'interval':
      return '1 second';
    default:
      throw new Error(`isolation test: no generic value for ${table.name}.${column.name} of type ${column.udtName}`);
  }
}

/** Required columns only, or (`fillAll`) every writable column, for tables whose checks need more. */
async function genericRow(db: Kysely<DB>, table: TableInfo, orgId: string, fillAll = false): Promise<Row> {
  const values: Row = {};
  for (const column of table.columns) {
    if (column.name === 'org_id') values.org_id = orgId;
    else if (column.generated) continue;
    else if (fillAll || (!column.nullable && !column.hasDefault)) values[column.name] = await genericValue(db, table, column);
  }
  return values;
}

function insertSql(table: string, values: Row) {
  const names = Object.keys(values);
  return sql<Row>`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))})
    values (${sql.join(names.map((n) => values[n]))}) returning *`;
}

/** Inserts as the owner with foreign keys and triggers off (the rows only need to exist). */
async function ownerInsert(db: Kysely<DB>, table: TableInfo, orgId: string): Promise<Row> {
  const attempt = async (fillAll: boolean) => {
    const values = await genericRow(db, table, orgId, fillAll);
    return withSystem(db, async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      const { rows } = await insertSql(table.name, values).execute(trx);
      return rows[0]!;
    });
  };
  try {
    return await attempt(false);
  } catch {
    try {
      return await attempt(true);
    } catch (error) {
      throw new Error(`isolation test could not insert a generic row into ${table.name}: ${(error as Error).message}`);
    }
  }
}

function whereKey(table: TableInfo, row: Row) {
  const keys = table.primaryKey.length > 0 ? table.primaryKey : ['org_id'];
  return sql.join(
    keys.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
    sql` and `,
  );
}

/** Runs `fn` as the app role with no org set at all. */
async function withNoOrg<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql.raw(`set local role ${APP_ROLE}`).execute(trx);
    return fn(trx);
  });
}

/** The statement must fail with insufficient_privilege (RLS violation or missing grant). */
async function assertDenied(what: string, run: () => Promise<unknown>): Promise<void> {
  await assert.rejects(run, (error: { code?: string; message?: string }) => {
    assert.equal(error.code, '42501', `${what}: expected a permission/RLS error, got ${error.code}: ${error.message}`);
    return true;
  });
}

/** Updates/deletes of invisible rows must touch nothing: zero rows, or no privilege at all. */
async function affectedOrDenied(run: () => Promise<bigint>): Promise<bigint> {
  try {
    return await run();
  } catch (error) {
    assert.equal((error as { code?: string }).code, '42501', (error as Error).message);
    return 0n;
  }
}

describe('tenant isolation', () => {
  let database: Database;
  let db: Kysely<DB>;
  let orgA: string;
  let orgB: string;
  let tables: string[];

  before(async () => {
    database = await createTestDatabase();
    db = database.db;
    orgA = (await bootstrapOrganization(db, { name: 'Org A', slug: 'iso-a', ownerEmail: 'a@iso.test', ownerName: 'A' }))
      .organization.id;
    orgB = (await bootstrapOrganization(db, { name: 'Org B', slug: 'iso-b', ownerEmail: 'b@iso.test', ownerName: 'B' }))
      .organization.id;
    tables = await tenantTables(db);
  });
  after(() => database?.close());

  test('the core tenant tables are among those found', () => {
    for (const t of ['memberships', 'teams', 'team_members', 'api_keys', 'projects', 'audit_log']) assert.ok(tables.includes(t), t);
  });

  test('the app role is not an owner, superuser or BYPASSRLS', async () => {
    const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>`
      select r.rolsuper, r.rolbypassrls,
             (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
        from pg_roles r where r.rolname = ${APP_ROLE}`.execute(db);
    assert.deepEqual(rows, [{ rolsuper: false, rolbypassrls: false, owned: 0 }]);
  });

  test('every tenant table has RLS enabled and forced with a policy on app.org_id', async () => {
    const { rows } = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: string[] }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity,
             coalesce(array_agg(p.qual) filter (where p.qual is not null), '{}') as policies
        from pg_class c left join pg_policies p on p.tablename = c.relname and p.schemaname = 'public'
       where c.relname = any(${tables}) and c.relnamespace = 'public'::regnamespace
       group by c.relname, c.relrowsecurity, c.relforcerowsecurity`.execute(db);
    assert.equal(rows.length, tables.length);
    for (const row of rows) {
      assert.ok(row.relrowsecurity, `${row.relname}: row level security is not enabled`);
      assert.ok(row.relforcerowsecurity, `${row.relname}: row level security is not forced`);
      assert.ok(
        row.policies.some((q) => q.includes('app.org_id')),
        `${row.relname}: no policy on current_setting('app.org_id')`,
      );
    }
  });

  test('no table the app role may read is left without RLS', async () => {
    const { rows } = await sql<{ relname: string }>`
      select c.relname from pg_class c
       where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
         and has_table_privilege(${APP_ROLE}, c.oid, 'SELECT') and not c.relrowsecurity`.execute(db);
    assert.deepEqual(
      rows.map((r) => r.relname),
      [],
    );
  });

  test('org A cannot select, update, delete or forge org B rows in any tenant table', async () => {
    for (const name of tables) {
      const table = await describeTable(db, name);
      const rowA = await ownerInsert(db, table, orgA);
      const rowB = await ownerInsert(db, table, orgB);
      const totalA = await withSystem(db, async (trx) => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)} where org_id = ${orgA}`.execute(trx);
        return rows[0]!.n;
      });

      await withTenant(db, orgA, async (trx) => {
        const { rows } = await sql<Row>`select * from ${sql.table(name)}`.execute(trx);
        assert.equal(rows.length, totalA, `${name}: org A should see exactly its own ${totalA} rows`);
        assert.ok(
          rows.every((r) => r.org_id === orgA),
          `${name}: org A saw another org's row`,
        );
        const byKey = await sql<Row>`select * from ${sql.table(name)} where ${whereKey(table, rowB)}`.execute(trx);
        assert.equal(byKey.rows.length, 0, `${name}: org A selected org B's row by its key`);
        const own = await sql<Row>`select * from ${sql.table(name)} where ${whereKey(table, rowA)}`.execute(trx);
        assert.equal(own.rows.length, 1, `${name}: org A cannot see its own row`);
      });

      const updated = await affectedOrDenied(() =>
        withTenant(db, orgA, async (trx) => {
          const result = await sql`update ${sql.table(name)} set org_id = org_id where ${whereKey(table, rowB)}`.execute(trx);
          return result.numAffectedRows ?? 0n;
        }),
      );
      assert.equal(updated, 0n, `${name}: org A updated org B's row`);

      const deleted = await affectedOrDenied(() =>
        withTenant(db, orgA, async (trx) => {
          const result = await sql`delete from ${sql.table(name)} where ${whereKey(table, rowB)}`.execute(trx);
          return result.numAffectedRows ?? 0n;
        }),
      );
      assert.equal(deleted, 0n, `${name}: org A deleted org B's row`);

      await assertDenied(`${name}: org A moved its row into org B`, () =>
        withTenant(db, orgA, (trx) => sql`update ${sql.table(name)} set org_id = ${orgB} where ${whereKey(table, rowA)}`.execute(trx)),
      );
      const forged = await genericRow(db, table, orgB);
      await assertDenied(`${name}: org A inserted a row for org B`, () =>
        withTenant(db, orgA, (trx) => insertSql(name, forged).execute(trx)),
      );

      const invisible = await withNoOrg(db, async (trx) => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(trx);
        return rows[0]!.n;
      });
      assert.equal(invisible, 0, `${name}: rows visible with no org set`);

      const stillThere = await withSystem(db, (trx) =>
        sql<Row>`select * from ${sql.table(name)} where ${whereKey(table, rowB)}`.execute(trx),
      );
      assert.equal(stillThere.rows.length, 1, `${name}: org B's row changed`);
      assert.equal(stillThere.rows[0]!.org_id, orgB, `${name}: org B's row changed org`);
    }
  });

  test('organizations: each org sees only itself and cannot rename another', async () => {
    const seen = await withTenant(db, orgA, (trx) => trx.selectFrom('organizations').select('id').execute());
    assert.deepEqual(seen, [{ id: orgA }]);
    const renamed = await withTenant(db, orgA, (trx) =>
      trx.updateTable('organizations').set({ name: 'taken over' }).where('id', '=', orgB).executeTakeFirst(),
    );
    assert.equal(renamed.numUpdatedRows, 0n);
    await assertDenied('org A created an organization', () =>
      withTenant(db, orgA, (trx) => trx.insertInto('organizations').values({ name: 'x', slug: `x-${Date.now()}` }).execute()),
    );
    const none = await withNoOrg(db, (trx) => trx.selectFrom('organizations').select('id').execute());
    assert.deepEqual(none, []);
  });

  test('users: an org sees only its members and cannot edit others', async () => {
    const emails = await withTenant(db, orgA, (trx) => trx.selectFrom('users').select('email').execute());
    assert.deepEqual(emails, [{ email: 'a@iso.test' }]);
    const edited = await withTenant(db, orgA, (trx) =>
      trx.updateTable('users').set({ display_name: 'hijacked' }).where('email', '=', 'b@iso.test').executeTakeFirst(),
    );
    assert.equal(edited.numUpdatedRows, 0n);
    await assertDenied('org A inserted a user directly', () =>
      withTenant(db, orgA, (trx) => trx.insertInto('users').values({ email: 'new@iso.test' }).execute()),
    );
    const none = await withNoOrg(db, (trx) => trx.selectFrom('users').select('id').execute());
    assert.deepEqual(none, []);
  });

  test('the app role cannot switch on system mode', async () => {
    const rows = await withTenant(db, orgA, async (trx) => {
      await sql`select set_config('app.system', 'on', true)`.execute(trx);
      return trx.selectFrom('projects').select('org_id').where('org_id', '=', orgB).execute();
    });
    assert.deepEqual(rows, []);
  });

  test('withTenant rejects an id that is not a uuid', async () => {
    await assert.rejects(
      () => withTenant(db, "x' or true --", async () => 1),
      /organization id is not a uuid/,
    );
  });
});
