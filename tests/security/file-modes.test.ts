// Item 4 of #12: the data dir, blobs and embedded-database files are private (dirs 0700, files
// 0600) whatever the umask, an existing data dir with open modes is repaired, and the partial
// uploads a crashed process left behind are swept at start.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openBlobStore } from '../../services/blob/index.ts';
import { loadConfig } from '../../services/config.ts';
import { openDatabase } from '../../services/db/database.ts';

const dirs: string[] = [];
let dataDir = '';
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Paths under `root` (root included) whose mode gives group or others any access. */
function openEntries(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const info = lstatSync(path);
    if (info.isSymbolicLink()) return;
    if ((info.mode & 0o077) !== 0) found.push(`${(info.mode & 0o777).toString(8)} ${path}`);
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return found;
}

function countFiles(root: string): number {
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) => statSync(join(root, p)).isFile()).length;
}

async function useDataDir(dataDir: string): Promise<void> {
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, NODE_ENV: 'test' });
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: undefined }, { migrate: true });
  try {
    // New relation files after open, too.
    await database.pglite!.exec('create table if not exists mode_probe (x int); insert into mode_probe values (1)');
  } finally {
    await database.close();
  }
  await openBlobStore(config).put(new TextEncoder().encode('private bytes'));
}

test('with umask 022 the data dir, secret, blobs and every PGlite file are private', async () => {
  const previous = process.umask(0o022);
  try {
    dataDir = join(mkdtempSync(join(tmpdir(), 'condense-modes-')), 'data');
    dirs.push(join(dataDir, '..'));
    await useDataDir(dataDir);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.ok(countFiles(join(dataDir, 'pgdata')) > 500, 'the embedded database wrote its files');
    assert.ok(countFiles(join(dataDir, 'blobs')) >= 1);
    assert.deepEqual(openEntries(dataDir), []);
  } finally {
    process.umask(previous);
  }
});

test('an existing data dir with open modes is repaired, and stale partial uploads are swept', async () => {
  assert.ok(dataDir, 'the first test created the data dir');
  const previous = process.umask(0o000);
  try {
    // What an older version (or another tool) left: open modes everywhere.
    chmodSync(dataDir, 0o777);
    chmodSync(join(dataDir, 'pgdata', 'PG_VERSION'), 0o666);
    const blob = (readdirSync(join(dataDir, 'blobs'), { recursive: true }) as string[]).find((p) => /[0-9a-f]{64}$/.test(p))!;
    chmodSync(join(dataDir, 'blobs', blob), 0o644);
    mkdirSync(join(dataDir, 'blobs', 'tmp'), { recursive: true, mode: 0o777 });
    chmodSync(join(dataDir, 'blobs', 'tmp'), 0o777);
    const dead = join(dataDir, 'blobs', 'tmp', '999999999-deadbeef');
    writeFileSync(dead, 'left by a crashed process', { mode: 0o666 });
    const ours = join(dataDir, 'blobs', 'tmp', `${process.pid}-inflight`);
    writeFileSync(ours, 'an upload in progress', { mode: 0o600 });
    await useDataDir(dataDir);
    assert.equal(existsSync(dead), false, 'the dead process\'s partial upload is gone');
    assert.equal(existsSync(ours), true, 'a live process\'s upload is kept');
    rmSync(ours);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.deepEqual(openEntries(dataDir), []);
  } finally {
    process.umask(previous);
  }
});

test('plugin scratch dirs a crashed host left behind are swept when a plugin host starts; live ones stay', async () => {
  const { spawnSync } = await import('node:child_process');
  const { utimesSync } = await import('node:fs');
  const { createPluginHost } = await import('../../services/plugins/index.ts');
  const { SCRATCH_PREFIX } = await import('../../services/plugins/sandbox.ts');
  // A pid that ran and is gone.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const dead = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${gone}-invoke-`));
  writeFileSync(join(dead, 'weights.bin'), 'left by a crashed plugin process');
  const live = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-invoke-`));
  const old = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-describe-`));
  utimesSync(old, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
  dirs.push(dead, live, old);
  const host = await createPluginHost({ builtins: false, pluginList: '' });
  await host.close();
  assert.equal(existsSync(dead), false, 'the dead process\'s scratch dir is gone');
  assert.equal(existsSync(old), false, 'a scratch dir older than an hour is gone');
  assert.equal(existsSync(live), true, 'a running process\'s scratch dir stays');
});
