// Test databases for every area's tests. Without DATABASE_URL: a private in-memory PGlite per
// call, loaded from a migrated template dump (~1 s instead of ~4 s for a fresh one). With
// DATABASE_URL (CI's PostgreSQL 15): a fresh `condense_test_<random>` database per call,
// migrated, and dropped again by close().
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { wrapPglite, type Database } from '../../services/db/database.ts';
import { postgresKysely } from '../../services/db/dialect.ts';
import { migrateToLatest } from '../../services/db/migrate.ts';

export type { Database } from '../../services/db/database.ts';

export interface TestDatabaseOptions {
  /** Apply migrations (default true). Pass false to test migrations themselves. */
  migrate?: boolean;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Key of a template: the PGlite version plus every file that shapes the schema. A changed
 * migration gives a new key, so a stale template is never used.
 */
function templateKey(migrate: boolean): string {
  const hash = createHash('sha256');
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  hash.update(`pglite ${pkg.version} migrate=${migrate}\n`);
  if (migrate) {
    for (const dir of ['migrations', 'services/db']) {
      const files = (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
      for (const file of files) hash.update(`${dir}/${file}\n`).update(readFileSync(join(root, dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 24);
}

const templates = new Map<boolean, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * A gzip dump of a fresh (optionally migrated) PGlite data dir, cached in the OS temp dir across
 * test processes: creating and migrating takes several seconds, loading a dump about one.
 * Instances are closed after dumping because a live PGlite keeps a 10 s timer that delays exit.
 */
async function buildTemplate(migrate: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const dir = join(tmpdir(), 'condense-pglite-templates');
  const file = join(dir, `${templateKey(migrate)}.tgz`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // not cached yet
  }
  const pglite = await PGlite.create();
  const wrapped = wrapPglite(pglite);
  try {
    if (migrate) await migrateToLatest(wrapped.db);
    const dump = new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    await mkdir(dir, { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, dump);
    await rename(temp, file);
    return dump;
  } finally {
    await wrapped.close();
  }
}

async function pgliteTestDatabase(migrate: boolean): Promise<Database> {
  let template = templates.get(migrate);
  if (!template) {
    template = buildTemplate(migrate);
    templates.set(migrate, template);
    template.catch(() => templates.delete(migrate));
  }
  const dump = await template;
  const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
  return wrapPglite(pglite);
}

async function postgresTestDatabase(url: string, migrate: boolean): Promise<Database> {
  const name = `condense_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const { db, statements } = postgresKysely(target.toString(), 5);
  const drop = async () => {
    await db.destroy();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  if (migrate) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { db, kind: 'postgres', close: drop, statements, connectionString: target.toString() };
}

/** A migrated, empty, private database; always close() it (use `after` / try-finally). */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  const url = process.env.DATABASE_URL;
  return url ? postgresTestDatabase(url, migrate) : pgliteTestDatabase(migrate);
}
