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

export class StatementPipeline {
  private index = 0;
  private result: PgResult;
  private readonly results: PgResult[] = [];
  private rowError: unknown;

  constructor(
    private readonly statements: PipelinedStatement[],
    /** The client's type parsers (pg.Client's `_types`). */
    private readonly types: unknown,
  ) {
    this.result = new Result(undefined, types);
  }

  /** Called by pg.Client when it is this pipeline's turn: everything goes out in one write. */
  submit(connection: PgConnection): null {
    connection.stream.cork?.();
    try {
      for (const statement of this.statements) {
        connection.parse({ text: statement.text });
        connection.bind({ values: statement.values });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
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
