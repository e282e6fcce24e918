// One tenant transaction per GraphQL query request instead of one per field: the first field that
// needs the database opens it, every other field of the request reuses it (statements on one
// connection run one after another), and the server ends it when execution is over. Mutations do
// not use it: each mutation keeps its own transaction, so a failed one rolls back alone.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types/index.ts';
import { openTenantTransaction, withTenant, type OpenTenantTransaction, type TenantTransaction } from '../db/tenant.ts';

/**
 * Embedded PGlite resolves queries as microtasks: yielding to I/O before a transaction starts
 * keeps a chain of them from starving every other socket (unfair latency under load).
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class RequestTransaction {
  private opened: Promise<OpenTenantTransaction> | undefined;
  private active = 0;
  private drained: (() => void) | undefined;
  private ended = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly orgId: string,
  ) {}

  /** Runs `fn` in the request's transaction (opening it on first use). */
  async run<T>(fn: (trx: TenantTransaction) => Promise<T>): Promise<T> {
    // A resolver still running after execution ended (a sibling of a failed non-null field)
    // gets a transaction of its own rather than a connection already given back.
    if (this.ended) return withTenant(this.db, this.orgId, fn);
    this.active++;
    try {
      const { trx } = await (this.opened ??= yieldToIo().then(() => openTenantTransaction(this.db, this.orgId)));
      return await fn(trx);
    } finally {
      if (--this.active === 0) this.drained?.();
    }
  }

  /**
   * Waits for fields still using the transaction, then ends it. The request only read, so the
   * COMMIT cannot change its answer: the response does not wait for it, and it leaves with the
   * connection's next statements (OpenTenantTransaction.endRead).
   */
  async end(): Promise<void> {
    this.ended = true;
    if (!this.opened) return;
    if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    const tx = await this.opened.catch(() => null);
    void tx?.endRead().catch(() => undefined);
  }
}
