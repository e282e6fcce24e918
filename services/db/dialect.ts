// One kysely PostgresDialect for both back ends: `pg` pools either talk to a real server or,
// through PGlite's node-postgres adapter, to the embedded database in this process.
// Every statement sent through a pool is counted (StatementCounter), so benchmarks and tests can
// assert how many statements a request costs (an N+1 regression shows up as a larger count).
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { CoalescingPgliteConnection } from './pglite-connection.ts';
import { PipelineSkippedError, PreparedStatements, StatementPipeline, serialiseValues, type PipelinedResult, type PipelinedStatement } from './pipeline.ts';
import { DEFAULT_DB_POOL_SIZE } from '../config.ts';
import type { DB } from './types/index.ts';

/** Statements sent to the database since the pool was made (BEGIN and COMMIT included), and the round trips they took. */
export interface StatementCounter {
  count: number;
  /** Messages that each wait for the server's answer: a statement alone, or a pipeline of several. */
  roundTrips: number;
  /** Read transactions' COMMITs waiting to leave with their connection's next statements (DEFERRED_COMMIT). */
  deferredCommits: number;
}

type Pending = { statements: PipelinedStatement[]; scheduled: boolean };

/**
 * Ends a transaction that only read without a round trip of its own: the client answers at once
 * and the COMMIT leaves with the next statements sent on the connection (the next transaction's
 * BEGIN pipeline), or alone after DEFERRED_COMMIT_MS if the connection stays idle. COMMIT cannot
 * change what was read, and it is first in the next pipeline, so nothing of the next transaction
 * runs before it (its tenant settings start afresh). Only for transactions whose statements have
 * all been answered; otherwise it is an ordinary COMMIT.
 */
export const DEFERRED_COMMIT = 'COMMIT /* deferred */';
/** Longest a finished read transaction waits for the connection's next statements. */
export const DEFERRED_COMMIT_MS = 5;
const ignore = (): void => undefined;

/**
 * A pg.Client class that counts every statement into `counter` and pipelines transactions:
 * after a plain `BEGIN`, the statements the code sends without waiting for each other (BEGIN, the
 * tenant settings and the first query; the fields of one GraphQL request resolved in one tick)
 * are held until the event loop turns and then sent as one pipeline (services/db/pipeline.ts);
 * COMMIT and ROLLBACK go out at once. Outside a transaction every query is sent as before.
 */
function countingClient(base: typeof pg.Client, counter: StatementCounter, extra: () => pg.ClientConfig = () => ({})): typeof pg.Client {
  return class CountingClient extends base {
    /** Set between BEGIN and COMMIT/ROLLBACK: statements waiting to be sent together. */
    private pending: Pending | null = null;
    /** BEGIN itself failed: nothing may run on this connection until the transaction is ended. */
    private beginFailed: unknown;
    /** Statement texts this connection has parsed under a name (pipeline.ts). */
    private readonly prepared = new PreparedStatements();
    /** A read transaction's COMMIT waiting to leave with the next statements (DEFERRED_COMMIT). */
    private deferred: PipelinedStatement | null = null;
    private deferredTimer: NodeJS.Timeout | undefined;

    constructor(config?: pg.ClientConfig) {
      super({ ...config, ...extra() } as pg.ClientConfig);
    }

    override query(...args: unknown[]): never {
      const [text, values, callback] = args;
      const plain = typeof text === 'string' && callback === undefined && (values === undefined || Array.isArray(values));
      if (plain) {
        const statement = text.trim();
        if (statement === DEFERRED_COMMIT) return this.deferCommit() as never;
        const ends = /^(commit|rollback)$/i.test(statement);
        if (this.pending && (ends || !(statement.includes(';') && (values === undefined || values.length === 0)))) {
          return this.enqueue(statement, values as unknown[] | undefined, ends) as never;
        }
        if (!this.pending && /^begin$/i.test(statement)) {
          this.pending = { statements: this.takeDeferred(), scheduled: false };
          this.beginFailed = undefined;
          const begun = this.enqueue(statement, [], false);
          begun.catch((error: unknown) => (this.beginFailed = error));
          return begun as never;
        }
      }
      this.flush(); // anything else keeps its place after what is waiting
      counter.count++;
      counter.roundTrips++;
      return (super.query as (...a: unknown[]) => never)(...args);
    }

    /** DEFERRED_COMMIT: answered now, sent with the connection's next statements (or alone, soon). */
    private deferCommit(): Promise<PipelinedResult> {
      const pending = this.pending;
      if (!pending || pending.statements.length > 0 || this.beginFailed !== undefined) return this.query('COMMIT') as unknown as Promise<PipelinedResult>;
      this.pending = null;
      counter.count++;
      // Its outcome reaches no one: it cannot change what was read, and if it fails the next
      // pipeline's statements fail with it (PipelineSkippedError).
      this.deferred = { text: 'COMMIT', values: [], resolve: ignore, reject: ignore };
      counter.deferredCommits++;
      this.deferredTimer = setTimeout(() => this.send({ statements: this.takeDeferred(), scheduled: false }), DEFERRED_COMMIT_MS);
      return Promise.resolve({ command: 'COMMIT', rowCount: null, rows: [], fields: [] });
    }

    /** The deferred COMMIT, if any, as the start of the next pipeline. */
    private takeDeferred(): PipelinedStatement[] {
      if (!this.deferred) return [];
      clearTimeout(this.deferredTimer);
      counter.deferredCommits--;
      const commit = this.deferred;
      this.deferred = null;
      return [commit];
    }

    private enqueue(text: string, values: unknown[] | undefined, ends: boolean): Promise<PipelinedResult> {
      const pending = this.pending!;
      if (ends) this.pending = null;
      let serialised: unknown[];
      try {
        serialised = serialiseValues(values);
      } catch (error) {
        return Promise.reject(error);
      }
      if (this.beginFailed !== undefined && !ends) return Promise.reject(new PipelineSkippedError(this.beginFailed));
      counter.count++;
      const result = new Promise<PipelinedResult>((resolve, reject) => pending.statements.push({ text, values: serialised, resolve, reject }));
      if (ends) this.send(pending);
      else if (!pending.scheduled) {
        pending.scheduled = true;
        setImmediate(() => this.send(pending));
      }
      return result;
    }

    /** Sends what is waiting now (keeps the transaction's later statements pipelining). */
    private flush(): void {
      if (this.deferred) this.send({ statements: this.takeDeferred(), scheduled: false });
      if (!this.pending || this.pending.statements.length === 0) return;
      const pending = this.pending;
      this.pending = { statements: [], scheduled: false };
      this.send(pending);
    }

    private send(pending: Pending): void {
      pending.scheduled = false;
      const statements = pending.statements.splice(0);
      if (statements.length === 0) return;
      counter.roundTrips++;
      const pipeline = new StatementPipeline(statements, (this as unknown as { _types: unknown })._types, this.prepared);
      (super.query as (q: unknown) => Promise<unknown> | undefined)(pipeline);
    }
  } as unknown as typeof pg.Client;
}

/** Kysely over a real PostgreSQL server. */
export function postgresKysely(connectionString: string, maxConnections = DEFAULT_DB_POOL_SIZE): { db: Kysely<DB>; pool: pg.Pool; statements: StatementCounter } {
  const statements: StatementCounter = { count: 0, roundTrips: 0, deferredCommits: 0 };
  const pool = new pg.Pool({ connectionString, max: maxConnections, Client: countingClient(pg.Client, statements) });
  // An idle client dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool, statements };
}

/**
 * Kysely over an embedded PGlite. PGlite is a single session, so the pool holds exactly one
 * client: statements and transactions queue up behind each other (never nest withTenant calls).
 * Each client gets a fresh adapter connection so a client the pool replaces starts clean.
 */
export function pgliteKysely(pglite: PGlite): { db: Kysely<DB>; pool: pg.Pool; statements: StatementCounter } {
  const statements: StatementCounter = { count: 0, roundTrips: 0, deferredCommits: 0 };
  // A connection of our own per client: whole exchanges per call into PGlite (pglite-connection.ts).
  const Client = countingClient(pg.Client, statements, () => ({ ...createPgConfig(pglite), connection: new CoalescingPgliteConnection({ pglite }) }) as unknown as pg.ClientConfig);
  const pool = new pg.Pool({ Client, max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool, statements };
}
