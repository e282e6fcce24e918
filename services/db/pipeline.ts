// Several statements of one transaction in one round trip (PostgreSQL's extended-query pipeline):
// Parse/Bind/Describe/Execute for each, then a single Sync, written to the socket at once. The
// server runs them in order and answers them together, so a request whose fields ask for rows in
// the same tick, or a transaction's BEGIN and its tenant settings with its first statement, costs
// one write and one wake-up of the backend instead of one per statement.
//
// `StatementPipeline` is a node-postgres "submittable" (the interface pg-cursor uses): pg.Client
// queues it like a query and hands it the backend's messages. It works on a real server and on
// PGlite's node-postgres adapter alike. When a statement fails the server skips the rest up to the
// Sync, so each later statement is rejected with a PipelineSkippedError naming the failure.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// pg's own row parser and value serialiser, so results are exactly what pg.Client.query gives.
const Result = require('pg/lib/result.js') as new (rowMode: undefined, types: unknown) => PgResult;
const { prepareValue } = require('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

interface PgResult {
  command: string | null;
  rowCount: number | null;
  rows: unknown[];
  fields: unknown[];
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addRow(row: unknown): void;
  addCommandComplete(msg: unknown): void;
}

/** What pg.Client.query resolves to (the fields kysely and our code read). */
export interface PipelinedResult {
  command: string | null;
  rowCount: number | null;
  rows: unknown[];
  fields: unknown[];
}

/** The subset of pg's Connection a pipeline writes to. */
interface PgConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name?: string; types?: unknown[] }): void;
  close(msg: { type: 'S' | 'P'; name?: string }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  describe(msg: { type: 'P' | 'S'; name?: string }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
}

export class PipelineSkippedError extends Error {
  constructor(readonly cause: unknown) {
    super(`not run: an earlier statement of the same pipeline failed (${(cause as Error)?.message ?? String(cause)})`);
    this.name = 'PipelineSkippedError';
  }
}

export interface PipelinedStatement {
  text: string;
  /** Already serialised with pg's prepareValue (see serialiseValues). */
  values: unknown[];
  resolve(result: PipelinedResult): void;
  reject(error: unknown): void;
}

/** pg's serialisation of parameter values; throws (like pg.Client.query would reject) for values it cannot send. */
export function serialiseValues(values: readonly unknown[] | undefined): unknown[] {
  return (values ?? []).map((value) => prepareValue(value));
}

/** How a statement of a pipeline is sent: bound to a statement the connection already parsed, or parsed first (named or not). */
interface Plan {
  name: string;
  parse: boolean;
}

/**
 * The named prepared statements of one connection. A statement text is parsed once under a name
 * and from then on only bound and executed: PostgreSQL skips parsing and rewriting, and after a
 * few executions plans it once (a generic plan) unless custom plans are cheaper. Request code sends
 * the same few texts over and over (kysely compiles values to parameters), so this is most of the
 * database's work per statement on a real server, and even more on PGlite, whose parser and
 * planner run on the API thread. At most `capacity` names per connection; texts beyond them are
 * sent unnamed, as before. A name is trusted only once its statement has run; a statement that
 * failed may or may not have been parsed, so its name is closed (Close is harmless on a name the
 * server does not know) and the text gets a new one next time.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();
  private toClose: string[] = [];
  private allocated = 0;
  private sequence = 0;

  constructor(private readonly capacity = 500) {}

  /** How to send `text` on this connection now. */
  plan(text: string): Plan | null {
    const name = this.names.get(text);
    if (name !== undefined) return { name, parse: false };
    if (this.allocated >= this.capacity) return null;
    this.allocated++;
    return { name: `condense_${++this.sequence}`, parse: true };
  }

  /** The statement ran: its name is parsed on the server. */
  confirm(text: string, plan: Plan): void {
    if (plan.parse) this.names.set(text, plan.name);
  }

  /** The statement failed: its name may exist on the server; close it before the next pipeline. */
  discard(plan: Plan): void {
    if (plan.parse) this.toClose.push(plan.name);
  }

  /** The statement was not run (an earlier one failed): its name was never parsed. */
  unused(plan: Plan): void {
    if (plan.parse) this.allocated--;
  }

  /**
   * Forget every name (closing them): after PostgreSQL refused a cached plan whose result type a
   * schema change altered ("cached plan must not change result type", e.g. a column added under a
   * running server), every text is parsed afresh.
   */
  reset(): void {
    this.toClose.push(...this.names.values());
    this.names.clear();
  }

  /** Names to close before this pipeline's statements. */
  takeClosing(): string[] {
    const names = this.toClose;
    this.toClose = [];
    this.allocated -= names.length;
    return names;
  }
}

/** PostgreSQL's answer when a prepared statement's result columns changed under it (feature_not_supported). */
const isStalePlan = (error: unknown): boolean =>
  (error as { code?: string })?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error)?.message));

export class StatementPipeline {
  private index = 0;
  private result: PgResult;
  private readonly results: PgResult[] = [];
  private rowError: unknown;
  private plans: (Plan | null)[] = [];

  constructor(
    private readonly statements: PipelinedStatement[],
    /** The client's type parsers (pg.Client's `_types`). */
    private readonly types: unknown,
    /** The connection's named statements; without it every statement is parsed unnamed. */
    private readonly prepared?: PreparedStatements,
  ) {
    this.result = new Result(undefined, types);
  }

  /**
   * Called by pg.Client when it is this pipeline's turn (the connection's previous pipeline has
   * been answered, so the prepared names are settled): everything goes out in one write.
   */
  submit(connection: PgConnection): null {
    connection.stream.cork?.();
    try {
      if (this.prepared) for (const name of this.prepared.takeClosing()) connection.close({ type: 'S', name });
      this.plans = this.statements.map((statement) => this.prepared?.plan(statement.text) ?? null);
      this.statements.forEach((statement, i) => {
        const plan = this.plans[i];
        if (!plan || plan.parse) connection.parse({ text: statement.text, name: plan?.name });
        connection.bind({ statement: plan?.name, values: statement.values });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: unknown[] }): void {
    this.result.addFields(msg.fields);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    if (this.rowError !== undefined) return;
    try {
      this.result.addRow(this.result.parseRow(msg.fields));
    } catch (error) {
      this.rowError = error;
    }
  }

  handleCommandComplete(msg: unknown): void {
    this.result.addCommandComplete(msg);
    this.next();
  }

  handleEmptyQuery(): void {
    this.next();
  }

  private next(): void {
    const statement = this.statements[this.index];
    if (statement) {
      if (this.rowError !== undefined) statement.reject(this.rowError);
      else this.results[this.index] = this.result;
    }
    this.rowError = undefined;
    this.index++;
    this.result = new Result(undefined, this.types);
  }

  /** The statement at `index` failed; the server skipped the rest (pg calls this instead of handleReadyForQuery). */
  handleError(error: unknown): void {
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle(undefined);
  }

  private settle(error: unknown): void {
    const prepared = this.prepared;
    if (prepared) {
      this.plans.forEach((plan, i) => {
        if (!plan) return;
        if (i < this.index) prepared.confirm(this.statements[i]!.text, plan);
        else if (i === this.index && error !== undefined) prepared.discard(plan);
        else prepared.unused(plan);
      });
      if (isStalePlan(error)) prepared.reset();
    }
    this.statements.forEach((statement, i) => {
      if (i < this.index) {
        const result = this.results[i];
        if (result) statement.resolve({ command: result.command, rowCount: result.rowCount, rows: result.rows, fields: result.fields });
      } else if (i === this.index && error !== undefined) statement.reject(error);
      else statement.reject(new PipelineSkippedError(error ?? new Error('the server answered fewer statements than were sent')));
    });
  }

  // Never asked for by the statements a pipeline carries (no row limits, no COPY).
  handlePortalSuspended(): void {
    this.handleError(new Error('unexpected PortalSuspended in a pipeline'));
  }

  handleCopyInResponse(): void {
    this.handleError(new Error('COPY is not supported in a pipeline'));
  }

  handleCopyData(): void {}
}
