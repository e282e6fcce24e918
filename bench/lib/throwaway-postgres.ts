// A throwaway PostgreSQL 15 server for benchmarks, started the way .ci/run starts CI's: initdb +
// pg_ctl from /usr/lib/postgresql/15/bin (as the `postgres` user when run as root), a temp dir,
// a free loopback port, fsync off. Returns { missing } with the reason when the binaries are missing;
// pids() lists the server's processes (for CPU figures).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  url: string;
  /** The server's processes now (postmaster and its children: backends, checkpointer, …). */
  pids(): number[];
  stop(): void;
}

/** Pids of `root` and its descendants, from /proc (Linux); [] elsewhere. */
export function processTree(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres | { missing: string }> {
  const initdb = join(PG_BIN, 'initdb');
  if (!existsSync(initdb)) return { missing: `${initdb} not found (Debian: apt-get install postgresql-15)` };
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const dir = mkdtempSync(join(tmpdir(), 'condense-bench-pg-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  const data = join(dir, 'data');
  const pgCtl = join(PG_BIN, 'pg_ctl');
  run(initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  run(pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-s', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pids() {
      try {
        return processTree(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]));
      } catch {
        return [];
      }
    },
    stop() {
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-s', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
